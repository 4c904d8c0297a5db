package resp

import (
	"math"
	"strconv"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// AppendValue appends the encoding of v to dst and returns the extended
// slice. RESP2 peers understand the kinds SimpleString, Error, Integer,
// BulkString and Array; the others are RESP3. The Str of a SimpleString,
// Error, Double or BigNumber must not hold CR or LF, and a Verbatim's
// must start with its format and ':'; AppendValue does not check, and the
// decoder refuses what breaks these rules. A Map's and an Attribute's
// Elems are as [Value] describes them. A streamed value is appended
// streamed. It panics on a Kind it does not know.
func AppendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case SimpleString, Error, Double, BigNumber:
		dst = append(dst, byte(v.Kind))
		dst = v.Str.AppendTo(dst)
	case Integer:
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, v.Int, 10)
	case Null:
		dst = append(dst, '_')
	case Boolean:
		if v.Int != 0 {
			dst = append(dst, "#t"...)
		} else {
			dst = append(dst, "#f"...)
		}
	case BulkString, BulkError, Verbatim:
		switch {
		case v.Null:
			return append(dst, "$-1\r\n"...)
		case v.Streamed:
			dst = append(dst, "$?\r\n"...)
			for _, c := range v.Elems {
				if c.Str.Len() > 0 {
					dst = appendHeader(dst, ';', c.Str.Len())
					dst = c.Str.AppendTo(dst)
					dst = append(dst, '\r', '\n')
				}
			}
			return append(dst, ";0\r\n"...)
		}
		dst = appendHeader(dst, byte(v.Kind), v.Str.Len())
		dst = v.Str.AppendTo(dst)
	case Array, Set, Push, Map:
		switch {
		case v.Null:
			return append(dst, "*-1\r\n"...)
		case v.Streamed:
			dst = append(dst, byte(v.Kind), '?', '\r', '\n')
			for _, e := range v.Elems {
				dst = AppendValue(dst, e)
			}
			return append(dst, ".\r\n"...)
		}
		n := len(v.Elems)
		if v.Kind == Map {
			n /= 2
		}
		dst = appendHeader(dst, byte(v.Kind), n)
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	case Attribute:
		if len(v.Elems) == 0 {
			panic("resp: AppendValue of an Attribute without the value it describes")
		}
		dst = appendHeader(dst, '|', (len(v.Elems)-1)/2)
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	default:
		panic("resp: AppendValue of a Value with the invalid Kind " + v.Kind.String())
	}
	return append(dst, '\r', '\n')
}

// writeChunk is how much of a value WriteValue encodes at once.
const writeChunk = 32 << 10

// WriteValue writes the encoding of v (as [AppendValue]) into w's
// buffers and commits it with Advance; it does not flush (call
// w.Flush). A string is copied in pieces of at most 32 KiB, so a value of
// any size is written without a buffer of its size.
func WriteValue(w pipe.Writer, v Value) {
	if v.Str.Len() <= writeChunk && v.Elems == nil {
		b := w.Buffer(v.Str.Len() + 32)
		n := len(AppendValue(b[:0], v))
		if n <= len(b) {
			w.Advance(n)
			return
		}
	}
	switch v.Kind {
	case BulkString, BulkError, Verbatim:
		if !v.Null && !v.Streamed {
			writeBytes(w, appendHeader(nil, byte(v.Kind), v.Str.Len()))
			for c := range v.Str.Chunks() {
				writeBytes(w, c)
			}
			writeBytes(w, []byte("\r\n"))
			return
		}
	case Array, Set, Push, Map, Attribute:
		if !v.Null {
			var head []byte
			switch {
			case v.Streamed:
				head = []byte{byte(v.Kind), '?', '\r', '\n'}
			case v.Kind == Map:
				head = appendHeader(nil, '%', len(v.Elems)/2)
			case v.Kind == Attribute:
				head = appendHeader(nil, '|', (len(v.Elems)-1)/2)
			default:
				head = appendHeader(nil, byte(v.Kind), len(v.Elems))
			}
			writeBytes(w, head)
			for _, e := range v.Elems {
				WriteValue(w, e)
			}
			if v.Streamed {
				writeBytes(w, []byte(".\r\n"))
			}
			return
		}
	}
	writeBytes(w, AppendValue(nil, v))
}

// WriteCommand writes the command made of args as an array of bulk
// strings into w's buffers and commits it; it does not flush.
func WriteCommand[S ~string | ~[]byte](w pipe.Writer, args ...S) {
	writeBytes(w, appendHeader(nil, '*', len(args)))
	for _, a := range args {
		writeBytes(w, appendHeader(nil, '$', len(a)))
		writeBytes(w, []byte(a))
		writeBytes(w, []byte("\r\n"))
	}
}

// writeBytes copies b into w's buffers, a piece at a time.
func writeBytes(w pipe.Writer, b []byte) {
	for len(b) > 0 {
		buf := w.Buffer(min(len(b), writeChunk))
		n := copy(buf, b)
		w.Advance(n)
		b = b[n:]
	}
}

// checkDouble accepts what RESP3 allows after ',': "inf", "-inf", "nan",
// or an optional sign, digits with an optional fraction, and an optional
// exponent.
func checkDouble(s seq.Sequence) error {
	var buf [64]byte
	if s.Len() > len(buf) {
		return ErrDouble
	}
	if _, err := parseDouble(s.AppendTo(buf[:0])); err != nil {
		return err
	}
	return nil
}

// parseDouble converts the text of a double.
func parseDouble(b []byte) (float64, error) {
	switch string(b) {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if i < len(b) && b[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return 0, ErrDouble
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		if digits() == 0 {
			return 0, ErrDouble
		}
	}
	if i != len(b) {
		return 0, ErrDouble
	}
	// The syntax is checked: only a range error can remain, with ±Inf
	// or 0, which is the value.
	f, _ := strconv.ParseFloat(string(b), 64)
	return f, nil
}

// checkBigNumber accepts an optional '-' and one or more digits.
func checkBigNumber(s seq.Sequence) error {
	n, i := 0, 0
	for c := range s.Chunks() {
		for _, b := range c {
			switch {
			case b == '-' && i == 0:
			case '0' <= b && b <= '9':
				n++
			default:
				return ErrBigNumber
			}
			i++
		}
	}
	if n == 0 {
		return ErrBigNumber
	}
	return nil
}

// checkVerbatim accepts a string that starts with a 3-byte format and ':'.
func checkVerbatim(s seq.Sequence) error {
	if s.Len() < 4 {
		return ErrVerbatim
	}
	var head [4]byte
	s.Slice(0, 4).CopyTo(head[:])
	if head[3] != ':' {
		return ErrVerbatim
	}
	return nil
}
