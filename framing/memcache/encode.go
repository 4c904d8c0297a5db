package memcache

import (
	"strconv"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// AppendCommand appends cmd as it goes on the wire, arguments separated
// by one space, lines ended by CRLF, and returns the extended buffer. It
// writes the fields cmd.Op uses (see [Command]) as they are, without
// checking keys; a data block's declared size is Data's length.
func AppendCommand(dst []byte, cmd Command) []byte {
	dst = append(dst, cmd.Op.String()...)
	key := func(k seq.Sequence) { dst = k.AppendTo(append(dst, ' ')) }
	num := func(v uint64) { dst = strconv.AppendUint(append(dst, ' '), v, 10) }
	noreply := func() {
		if cmd.NoReply {
			dst = append(dst, " noreply"...)
		}
	}
	switch cmd.Op {
	case OpSet, OpAdd, OpReplace, OpAppend, OpPrepend, OpCas:
		key(cmd.Key)
		num(uint64(cmd.Flags))
		dst = strconv.AppendInt(append(dst, ' '), cmd.Exptime, 10)
		num(uint64(cmd.Data.Len()))
		if cmd.Op == OpCas {
			num(cmd.Cas)
		}
		noreply()
		dst = cmd.Data.AppendTo(append(dst, "\r\n"...))
	case OpGat, OpGats, OpGet, OpGets:
		if cmd.Op == OpGat || cmd.Op == OpGats {
			dst = strconv.AppendInt(append(dst, ' '), cmd.Exptime, 10)
		}
		for _, k := range cmd.Keys {
			key(k)
		}
	case OpDelete:
		key(cmd.Key)
		noreply()
	case OpIncr, OpDecr:
		key(cmd.Key)
		num(cmd.Delta)
		noreply()
	case OpTouch:
		key(cmd.Key)
		dst = strconv.AppendInt(append(dst, ' '), cmd.Exptime, 10)
		noreply()
	case OpStats, OpFlushAll, OpVerbosity:
		if !cmd.Args.IsEmpty() {
			key(cmd.Args)
		}
	}
	return append(dst, "\r\n"...)
}

// AppendReply appends r as it goes on the wire and returns the extended
// buffer; a VALUE's declared size is Data's length.
func AppendReply(dst []byte, r Reply) []byte {
	switch r.Kind {
	case KindNumber:
		dst = strconv.AppendUint(dst, r.Number, 10)
	case KindValue:
		dst = r.Key.AppendTo(append(dst, "VALUE "...))
		dst = strconv.AppendUint(append(dst, ' '), uint64(r.Flags), 10)
		dst = strconv.AppendUint(append(dst, ' '), uint64(r.Data.Len()), 10)
		if r.HasCas {
			dst = strconv.AppendUint(append(dst, ' '), r.Cas, 10)
		}
		dst = r.Data.AppendTo(append(dst, "\r\n"...))
	case KindClientError, KindServerError, KindVersion, KindStat:
		dst = r.Text.AppendTo(append(append(dst, r.Kind.String()...), ' '))
	default:
		dst = append(dst, r.Kind.String()...)
	}
	return append(dst, "\r\n"...)
}

// WriteCommand writes cmd into w as [AppendCommand] does, without
// flushing: call w.Flush to send what was written.
func WriteCommand(w pipe.Writer, cmd Command) { write(w, AppendCommand(w.Buffer(0)[:0], cmd)) }

// WriteReply writes r into w as [AppendReply] does, without flushing.
func WriteReply(w pipe.Writer, r Reply) { write(w, AppendReply(w.Buffer(0)[:0], r)) }

// write commits b, which was appended to w's last buffer: in place if it
// fitted, copied in pieces otherwise.
func write(w pipe.Writer, b []byte) {
	if buf := w.Buffer(0); len(b) <= len(buf) && len(b) > 0 && &buf[0] == &b[0] {
		w.Advance(len(b))
		return
	}
	for len(b) > 0 {
		buf := w.Buffer(min(len(b), seq.MaxSegment))
		k := copy(buf, b)
		w.Advance(k)
		b = b[k:]
	}
}
