package pipe

import (
	"context"
	"errors"
	"io"
)

// ErrCanceled is returned by the io views and copies of this package when a
// read or flush they make reports Canceled (see [Reader.CancelPendingRead]
// and [Writer.CancelPendingFlush]). The message readers of package parse
// return the same value for a canceled read: one cancellation, one
// sentinel.
var ErrCanceled = errors.New("pipe: read or flush canceled")

// completer is implemented by the readers and writers whose Complete can fail
// (closing a source or destination, flushing): the io views report that
// error from Close.
type completer interface {
	complete(err error) error
}

// AsReader returns an [io.ReadCloser] that reads from r, the analogue of
// .NET's PipeReader.AsStream. Read copies the buffered bytes and advances r
// past them; it returns [io.EOF] once the writer has completed and every byte
// was read, the writer's error (after the bytes that came before it) if it
// completed with one, and [ErrCanceled] for a read ended by
// CancelPendingRead (nothing is lost; read again). Close
// completes r with nil, and reports the error of closing the source of a
// reader made by [NewReader].
//
// The returned value also implements [io.WriterTo], which writes each chunk
// straight from r's memory, so io.Copy does not copy the bytes twice.
//
// The view takes over r: r must not be used while the view is, and must
// not have examined bytes it did not consume (the view advances with
// examined equal to consumed).
func AsReader(r Reader) io.ReadCloser {
	return &ioReader{r: r}
}

type ioReader struct {
	r      Reader
	eof    bool
	errOff int // bytes of an erroring result already returned
}

// Read implements [io.Reader].
func (v *ioReader) Read(p []byte) (int, error) {
	if v.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		res, err := v.r.Read(context.Background())
		if err != nil {
			// The bytes that came before the error cannot be advanced
			// past: every read returns them again. Hand them out once,
			// then the error.
			if rest := res.Buffer.Len() - v.errOff; rest > 0 {
				n := res.Buffer.From(v.errOff).CopyTo(p)
				v.errOff += n
				return n, nil
			}
			return 0, err
		}
		buf := res.Buffer
		if res.Canceled {
			v.r.AdvanceTo(buf.Start(), buf.Start())
			return 0, ErrCanceled
		}
		n := buf.CopyTo(p)
		if n == 0 {
			v.r.AdvanceTo(buf.Start(), buf.Start())
			if res.Completed {
				v.eof = true
				return 0, io.EOF
			}
			continue
		}
		pos := buf.End()
		if n < buf.Len() {
			pos = buf.PosAt(n)
		}
		v.r.AdvanceTo(pos, pos)
		return n, nil
	}
}

// WriteTo implements [io.WriterTo].
func (v *ioReader) WriteTo(w io.Writer) (int64, error) {
	if v.eof {
		return 0, nil
	}
	n, err := copyTo(context.Background(), v.r, w, &v.errOff)
	if err == nil {
		v.eof = true
	}
	return n, err
}

// Close completes the reader with nil.
func (v *ioReader) Close() error {
	if c, ok := v.r.(completer); ok {
		return c.complete(nil)
	}
	v.r.Complete(nil)
	return nil
}

// AsWriter returns an [io.WriteCloser] that writes to w, the analogue of
// .NET's PipeWriter.AsStream. Write copies p into w and flushes, waiting as
// a flush does when the reader is behind; it returns [io.ErrClosedPipe] once
// the reader has completed (the bytes are dropped), the reader's error if it
// completed with one, and [ErrCanceled] with n == len(p) for a flush ended by
// CancelPendingFlush (the bytes are in the pipe). Close completes w with nil
// and reports the error of the final flush or close of a writer made by
// [NewWriter].
//
// The returned value also implements [io.ReaderFrom], which reads straight
// into w's memory and flushes after each read.
//
// The view takes over w: w must not be used while the view is.
func AsWriter(w Writer) io.WriteCloser {
	return &ioWriter{w: w}
}

type ioWriter struct {
	w Writer
}

// Write implements [io.Writer].
func (v *ioWriter) Write(p []byte) (int, error) {
	res, err := v.w.Write(context.Background(), p)
	if err != nil {
		return 0, err
	}
	return flushN(res, len(p))
}

func flushN(res FlushResult, n int) (int, error) {
	switch {
	case res.Completed:
		return 0, io.ErrClosedPipe
	case res.Canceled:
		return n, ErrCanceled
	}
	return n, nil
}

// ReadFrom implements [io.ReaderFrom].
func (v *ioWriter) ReadFrom(src io.Reader) (int64, error) {
	return CopyFrom(context.Background(), v.w, src)
}

// Close completes the writer with nil.
func (v *ioWriter) Close() error {
	if c, ok := v.w.(completer); ok {
		return c.complete(nil)
	}
	v.w.Complete(nil)
	return nil
}

// CopyTo writes everything read from r to dst until the writer of r
// completes, the analogue of .NET's PipeReader.CopyToAsync. Each chunk is
// written straight from r's memory. It returns the number of bytes written
// and the first error: ctx.Err(), [ErrCanceled] if a read was canceled, dst's
// error (the bytes dst did not take stay in r), or the writer's error, which
// comes after the bytes written before it (those stay in r too: a reader
// cannot advance past a result that carries an error). A clean end returns
// a nil error. CopyTo does not complete r.
func CopyTo(ctx context.Context, r Reader, dst io.Writer) (int64, error) {
	var skip int
	return copyTo(ctx, r, dst, &skip)
}

// copyTo is CopyTo; *skip counts the bytes of an erroring result already
// written, so that an io view writes them once.
func copyTo(ctx context.Context, r Reader, dst io.Writer, skip *int) (int64, error) {
	var total int64
	for {
		res, err := r.Read(ctx)
		if err != nil {
			if *skip < res.Buffer.Len() {
				for b := range res.Buffer.From(*skip).Chunks() {
					n, werr := writeFull(dst, b)
					total += int64(n)
					*skip += n
					if werr != nil {
						return total, werr
					}
				}
			}
			return total, err
		}
		buf := res.Buffer
		if res.Canceled {
			r.AdvanceTo(buf.Start(), buf.Start())
			return total, ErrCanceled
		}
		var werr error
		consumed := 0
		for b := range buf.Chunks() {
			n, err := writeFull(dst, b)
			total += int64(n)
			consumed += n
			if err != nil {
				werr = err
				break
			}
		}
		if werr != nil {
			pos := buf.PosAt(consumed)
			r.AdvanceTo(pos, pos)
			return total, werr
		}
		r.AdvanceTo(buf.End(), buf.End())
		if res.Completed {
			return total, nil
		}
	}
}

// CopyFrom reads src into w until src reports [io.EOF], flushing after each
// read so that w's backpressure paces the reading. Each read goes straight
// into w's memory. It returns the number of bytes read and the first error:
// ctx.Err(), src's error, [io.ErrClosedPipe] (or the reader's error) when
// w's reader has completed, [ErrCanceled] for a canceled flush, or
// [io.ErrNoProgress] if src returns neither bytes nor an error 100 times in
// a row. A clean end returns a nil error. CopyFrom does not complete w.
func CopyFrom(ctx context.Context, w Writer, src io.Reader) (int64, error) {
	var total int64
	empty := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		buf := w.Buffer(defaultMinReadSize)
		n, rerr := src.Read(buf)
		if n < 0 || n > len(buf) {
			panic("pipe: io.Reader returned an invalid count")
		}
		if n > 0 {
			empty = 0
			total += int64(n)
			w.Advance(n)
			res, err := w.Flush(ctx)
			if err != nil {
				return total, err
			}
			if _, err := flushN(res, 0); err != nil {
				return total, err
			}
		} else if rerr == nil {
			if empty++; empty >= maxConsecutiveEmptyRds {
				return total, io.ErrNoProgress
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// writeFull writes b to dst, turning a short write into io.ErrShortWrite.
func writeFull(dst io.Writer, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, err := dst.Write(b)
	if n < 0 || n > len(b) {
		panic("pipe: io.Writer returned an invalid count")
	}
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}
