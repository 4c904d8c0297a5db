// Package kv decodes and encodes the commands of a small memcached-style
// text protocol. It is the complete example of the guides
// docs/property-testing.md and docs/fuzzing.md: copy this directory into a
// repository of your own to start testing a decoder of yours.
//
// The protocol has two commands, each ending in CRLF:
//
//	get <key>\r\n
//	set <key> <length>\r\n<length bytes of data>\r\n
//
// A key is 1 to 250 bytes of letters, digits, '_', '-', '.' and ':'; a
// length is 1 to 7 decimal digits. The data may hold any bytes, CRLF
// included.
package kv

import (
	"strconv"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Command is one decoded command. It owns its memory.
type Command struct {
	// Op is "get" or "set".
	Op string
	// Key names the entry.
	Key string
	// Value is the data of a set; nil for a get.
	Value []byte
}

// isKeyByte reports whether c may appear in a key.
func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Parse reads one command. Declared lengths count against the message
// reader's maximum message size before the data is buffered.
var Parse = buildParse()

func buildParse() parse.TryParse[Command] {
	crlf := combinators.Literal("\r\n")
	key := combinators.Map(combinators.TakeWhile("key", isKeyByte, 1, 250),
		func(s seq.Sequence) string { return s.String() })
	length := combinators.MapErr(combinators.TakeWhile("length", isDigit, 1, 7),
		func(s seq.Sequence) (int, error) { return strconv.Atoi(s.String()) })

	get := combinators.Map(
		combinators.Then(combinators.Literal("get "), combinators.Before(key, crlf)),
		func(k string) Command { return Command{Op: "get", Key: k} })

	// set: the header's length decides how many bytes of data follow.
	type header struct {
		key string
		n   int
	}
	setHeader := combinators.Seq3(combinators.Literal("set "), combinators.Before(key, combinators.Byte(' ')),
		combinators.Before(length, crlf),
		func(_ string, k string, n int) header { return header{k, n} })
	set := combinators.Bind(setHeader, func(h header) parse.TryParse[Command] {
		return combinators.Map(combinators.Before(combinators.Take(h.n), crlf),
			func(data seq.Sequence) Command {
				return Command{Op: "set", Key: h.key, Value: data.AppendTo(make([]byte, 0, h.n))}
			})
	})

	return combinators.Label("a get or set command", combinators.Alt(get, set))
}

// Append appends the encoding of c to dst. It encodes a get unless c.Op is
// "set".
func Append(dst []byte, c Command) []byte {
	if c.Op != "set" {
		dst = append(dst, "get "...)
		dst = append(dst, c.Key...)
		return append(dst, "\r\n"...)
	}
	dst = append(dst, "set "...)
	dst = append(dst, c.Key...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(c.Value)), 10)
	dst = append(dst, "\r\n"...)
	dst = append(dst, c.Value...)
	return append(dst, "\r\n"...)
}
