package resp

import (
	"strconv"

	"github.com/sluicego/sluice/seq"
)

// Command is a command as a server reads it: its arguments, the name
// first.
//
// Lifetime: for a command sent as an array of bulk strings, each argument
// views the reader's buffer and Args is in the reader's scratch storage:
// both are valid until the next read from the reader (copy to keep). An
// inline command's arguments are decoded into memory of their own, which
// the command owns.
type Command struct {
	// Args are the arguments; none for an empty command (an empty inline
	// line, "*0\r\n" or a negative count), which a server ignores.
	Args []seq.Sequence
	// Inline reports a command sent as an inline line, not as an array.
	Inline bool
}

// Name returns the first argument, the command's name, or an empty
// sequence for an empty command.
func (c Command) Name() seq.Sequence {
	if len(c.Args) == 0 {
		return seq.Sequence{}
	}
	return c.Args[0]
}

// AppendTo appends the command as an array of bulk strings, the form
// clients send, to dst and returns the extended slice. An inline command
// is appended in that form too.
func (c Command) AppendTo(dst []byte) []byte {
	dst = appendHeader(dst, '*', len(c.Args))
	for _, a := range c.Args {
		dst = appendHeader(dst, '$', a.Len())
		dst = a.AppendTo(dst)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendCommand appends the command made of args as an array of bulk
// strings to dst and returns the extended slice:
//
//	b = resp.AppendCommand(b, "SET", "key", "value")
func AppendCommand[S ~string | ~[]byte](dst []byte, args ...S) []byte {
	dst = appendHeader(dst, '*', len(args))
	for _, a := range args {
		dst = appendHeader(dst, '$', len(a))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// appendHeader appends a type byte, n and CRLF.
func appendHeader(dst []byte, t byte, n int) []byte {
	dst = append(dst, t)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// inlineCommand makes the command of an inline line (without its '\n').
func inlineCommand(line seq.Sequence) (Command, error) {
	var buf [256]byte
	b := line.AppendTo(buf[:0])
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	args, err := SplitInline(b)
	if err != nil {
		return Command{}, err
	}
	c := Command{Inline: true}
	if len(args) > 0 {
		c.Args = make([]seq.Sequence, len(args))
		for i, a := range args {
			c.Args[i] = seq.Of(a)
		}
	}
	return c, nil
}

// SplitInline splits an inline command line (without its line end) into
// its arguments, as redis-server does (its sdssplitargs): arguments are
// separated by spaces, tabs, CR or LF; one may be quoted, in double quotes
// with the escapes \n \r \t \b \a, \xHH (two hex digits) and \ before any
// other byte for that byte, or in single quotes with \' for a quote; a
// quoted part may follow bare bytes in the same argument (a"b c" is
// "ab c"), but a closing quote must be followed by a space or the end of
// the line. A NUL byte outside quotes ends the line. An unclosed quote,
// or a closing quote followed by something else, is
// [ErrUnbalancedQuotes]. The arguments are in memory of their own.
func SplitInline(line []byte) ([][]byte, error) {
	var args [][]byte
	var out []byte
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) || line[i] == 0 {
			return args, nil
		}
		start := len(out)
		inDouble, inSingle := false, false
	arg:
		for {
			switch {
			case inDouble:
				switch {
				case i >= len(line) || line[i] == 0:
					return nil, ErrUnbalancedQuotes
				case line[i] == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					out = append(out, unhex(line[i+2])<<4|unhex(line[i+3]))
					i += 4
				case line[i] == '\\' && i+1 < len(line) && line[i+1] != 0:
					out = append(out, unescape(line[i+1]))
					i += 2
				case line[i] == '"':
					if i+1 < len(line) && line[i+1] != 0 && !isSpace(line[i+1]) {
						return nil, ErrUnbalancedQuotes
					}
					i++
					break arg
				default:
					out = append(out, line[i])
					i++
				}
			case inSingle:
				switch {
				case i >= len(line) || line[i] == 0:
					return nil, ErrUnbalancedQuotes
				case line[i] == '\\' && i+1 < len(line) && line[i+1] == '\'':
					out = append(out, '\'')
					i += 2
				case line[i] == '\'':
					if i+1 < len(line) && line[i+1] != 0 && !isSpace(line[i+1]) {
						return nil, ErrUnbalancedQuotes
					}
					i++
					break arg
				default:
					out = append(out, line[i])
					i++
				}
			default:
				if i >= len(line) {
					break arg
				}
				switch c := line[i]; c {
				case ' ', '\n', '\r', '\t', 0:
					break arg
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					out = append(out, c)
				}
				i++
			}
		}
		args = append(args, out[start:len(out):len(out)])
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// unescape is the byte a backslash before c stands for in double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
