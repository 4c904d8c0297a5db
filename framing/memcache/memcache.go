// Package memcache frames memcached's text protocol: the commands a client
// sends ([FromClient]) and the replies a server sends ([FromServer]), with
// encoders for both ([AppendCommand], [AppendReply]).
//
// Wire layout: a command line, the command name (lower case, as memcached
// requires) and its arguments separated by spaces, ended by CRLF (a bare
// LF is accepted, as memcached accepts it); storage commands (set, add,
// replace, append, prepend, cas) then carry a data block of the number of
// bytes the line declared, followed by CRLF. A get, gets, gat or gats is
// answered by a VALUE line and its data block per item found, then END:
// each VALUE (with its data) is a [Reply], and END is one.
//
// Limits, on by default ([DefaultLimits]): keys of at most 250 bytes
// without spaces or control characters (memcached's KEY_MAX_LENGTH), data
// blocks of at most 1 MiB (memcached's default item size, -I 1m), command
// lines of at most 8 KiB, and 1024 keys per get. A data block declared over
// the limit is refused ([ErrItemSize]) as soon as its line is read, before
// any of it is waited for; data blocks are delivered whole, within that
// limit.
//
// Lifetimes: every sequence of a [Command] or [Reply] views the reader's
// buffer and is valid until the next message is read; copy it to keep it.
// Command.Keys is a slice the message owns.
package memcache

import (
	"errors"
	"fmt"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Op is a command.
type Op uint8

// The commands.
const (
	OpSet       Op = iota + 1 // set <key> <flags> <exptime> <bytes> [noreply], data
	OpAdd                     // add, as set
	OpReplace                 // replace, as set
	OpAppend                  // append, as set
	OpPrepend                 // prepend, as set
	OpCas                     // cas <key> <flags> <exptime> <bytes> <cas unique> [noreply], data
	OpGet                     // get <key>*
	OpGets                    // gets <key>*
	OpGat                     // gat <exptime> <key>*
	OpGats                    // gats <exptime> <key>*
	OpDelete                  // delete <key> [noreply]
	OpIncr                    // incr <key> <value> [noreply]
	OpDecr                    // decr <key> <value> [noreply]
	OpTouch                   // touch <key> <exptime> [noreply]
	OpVersion                 // version
	OpStats                   // stats [args]: Args holds the rest of the line
	OpFlushAll                // flush_all [delay] [noreply]: Args holds the rest of the line
	OpVerbosity               // verbosity <level> [noreply]: Args holds the rest of the line
	OpQuit                    // quit
)

var opNames = [...]string{OpSet: "set", OpAdd: "add", OpReplace: "replace", OpAppend: "append", OpPrepend: "prepend",
	OpCas: "cas", OpGet: "get", OpGets: "gets", OpGat: "gat", OpGats: "gats", OpDelete: "delete", OpIncr: "incr",
	OpDecr: "decr", OpTouch: "touch", OpVersion: "version", OpStats: "stats", OpFlushAll: "flush_all",
	OpVerbosity: "verbosity", OpQuit: "quit"}

// String returns the command's name as it goes on the wire.
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Command is one command. Which fields are set depends on Op.
type Command struct {
	Op      Op
	Key     seq.Sequence   // storage commands, delete, incr, decr, touch
	Keys    []seq.Sequence // get, gets, gat, gats
	Flags   uint32         // storage commands
	Exptime int64          // storage commands, touch, gat, gats
	Cas     uint64         // cas
	Delta   uint64         // incr, decr
	NoReply bool           // "noreply" ended the line
	Data    seq.Sequence   // storage commands: the data block, without its CRLF
	Args    seq.Sequence   // stats, flush_all, verbosity: the rest of the line
}

// Kind is the kind of a reply.
type Kind uint8

// The replies.
const (
	KindValue       Kind = iota + 1 // VALUE <key> <flags> <bytes> [<cas unique>], data
	KindEnd                         // END
	KindStored                      // STORED
	KindNotStored                   // NOT_STORED
	KindExists                      // EXISTS
	KindNotFound                    // NOT_FOUND
	KindDeleted                     // DELETED
	KindTouched                     // TOUCHED
	KindOK                          // OK
	KindNumber                      // <value>: incr, decr
	KindError                       // ERROR
	KindClientError                 // CLIENT_ERROR <message>
	KindServerError                 // SERVER_ERROR <message>
	KindVersion                     // VERSION <version>
	KindStat                        // STAT <name> <value>
)

var kindNames = [...]string{KindValue: "VALUE", KindEnd: "END", KindStored: "STORED", KindNotStored: "NOT_STORED",
	KindExists: "EXISTS", KindNotFound: "NOT_FOUND", KindDeleted: "DELETED", KindTouched: "TOUCHED", KindOK: "OK",
	KindNumber: "number", KindError: "ERROR", KindClientError: "CLIENT_ERROR", KindServerError: "SERVER_ERROR",
	KindVersion: "VERSION", KindStat: "STAT"}

// String returns the reply's word as it goes on the wire ("number" for
// KindNumber).
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Reply is one reply line, with its data block for a VALUE.
type Reply struct {
	Kind   Kind
	Key    seq.Sequence // VALUE
	Flags  uint32       // VALUE
	Cas    uint64       // VALUE: the cas unique, if HasCas (a gets or gats reply)
	HasCas bool
	Data   seq.Sequence // VALUE: the data block, without its CRLF
	Number uint64       // KindNumber
	// Text is the message of CLIENT_ERROR and SERVER_ERROR, the version of
	// VERSION and "name value" of STAT.
	Text seq.Sequence
}

// Limits bounds what a decoder accepts. A zero field means its default.
type Limits struct {
	MaxItem int // data block bytes; default 1 MiB, memcached's default item size
	MaxLine int // command or reply line bytes, line end included; default 8 KiB
	MaxKeys int // keys of one get, gets, gat or gats; default 1024
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{MaxItem: 1 << 20, MaxLine: 8 << 10, MaxKeys: 1024}

// MaxKey is the longest key memcached accepts (KEY_MAX_LENGTH).
const MaxKey = 250

func (l Limits) orDefault() Limits {
	if l.MaxItem <= 0 {
		l.MaxItem = DefaultLimits.MaxItem
	}
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultLimits.MaxLine
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = DefaultLimits.MaxKeys
	}
	return l
}

// MessageSize is the maximum message size to give the message reader
// (parse.Options.MaxMessageSize) of a decoder with these limits.
func (l Limits) MessageSize() int {
	l = l.orDefault()
	return l.MaxLine + l.MaxItem + 2
}

// ErrItemSize is the error of a storage command or VALUE that declares a
// data block over Limits.MaxItem ("SERVER_ERROR object too large for
// cache" in memcached), wrapped in a [*HeadError].
var ErrItemSize = errors.New("memcache: item over the maximum size")

// ErrKey is the error of a key longer than [MaxKey] bytes, wrapped in a
// *parse.SyntaxError at the key's first byte. A key's bytes are those
// above the space and other than DEL: a control character ends it.
var ErrKey = errors.New("memcache: key too long")

// A HeadError is a command or VALUE line that is well formed but declares
// a data block over the limit. It is returned as soon as the line has been
// read, before the data is waited for, and matches ErrItemSize and
// parse.ErrTooLarge.
type HeadError struct {
	// Offset is the stream offset of the line's first byte.
	Offset int64
	// Size is the declared size, Max the limit.
	Size, Max int
}

// Error names the sizes and the offset.
func (e *HeadError) Error() string {
	return fmt.Sprintf("%v: %d bytes declared, at most %d (line at offset %d)", ErrItemSize, e.Size, e.Max, e.Offset)
}

// Is reports whether target is ErrItemSize or parse.ErrTooLarge.
func (e *HeadError) Is(target error) bool {
	return target == ErrItemSize || target == parse.ErrTooLarge
}

// sized is a line that declares a data block of n bytes.
type sized[T any] struct {
	v T
	n int
}

// checked runs p and refuses a line that declares more than max bytes.
//
// It is written by hand because MapErr cannot say it: MapErr's rejection
// is a syntax error at the element's first byte, and "the furthest
// failure wins" then prefers what the optional "noreply" or cas unique
// expected further on, so the limit would be reported as a syntax error.
// A *HeadError is a size error (parse.ErrTooLarge), which passes as it is.
func checked[T any](p parse.TryParse[sized[T]], max int) parse.TryParse[sized[T]] {
	return func(in *parse.Input) (sized[T], error) {
		off := in.Offset()
		h, err := p(in)
		if err == nil && h.n > max {
			return h, &HeadError{Offset: off, Size: h.n, Max: max}
		}
		return h, err
	}
}

func isKeyByte(b byte) bool { return b > ' ' && b != 0x7f }

var (
	sp   = c.Label("space", c.TakeIn(" ", 1, -1))
	eol  = c.Then(c.TakeIn(" ", 0, -1), c.Label("end of line", c.Alt(c.Literal("\r\n"), c.Literal("\n"))))
	crlf = c.Label("CRLF after the data block", c.Literal("\r\n"))
	// A key is read up to one byte past MaxKey, so that a key too long
	// is refused as soon as that byte arrives, not when the key ends: a
	// key cut by a read's end and the same key whole give one error.
	key     = c.Then(sp, c.MapErr(c.Label("key", c.TakeWhile("key", isKeyByte, 1, MaxKey+1)), checkKey))
	flags   = c.Then(sp, c.Label("flags", c.Decimal[uint32](0, math.MaxUint32, 0)))
	exptime = c.Then(sp, c.Label("exptime", c.Decimal[int64](math.MinInt64, math.MaxInt64, 0)))
	length  = c.Then(sp, c.Label("byte count", c.Decimal[int](0, math.MaxInt, 0)))
	u64     = c.Then(sp, c.Label("number", c.Decimal[uint64](0, math.MaxUint64, 0)))
	noreply = c.Before(c.Map(c.Opt(c.Then(sp, c.Literal("noreply"))), func(m c.Maybe[string]) bool { return m.Ok }), eol)
	rest    = c.Then(c.TakeIn(" ", 0, -1), c.Line())
)

func checkKey(k seq.Sequence) (seq.Sequence, error) {
	if k.Len() > MaxKey {
		return k, fmt.Errorf("%w: over %d bytes", ErrKey, MaxKey)
	}
	return k, nil
}

// grammars holds the parsers of one set of limits.
type grammars struct {
	fromClient parse.TryParse[Command]
	fromServer parse.TryParse[Reply]
}

func newGrammars(l Limits) grammars {
	l = l.orDefault()
	line := func(p parse.TryParse[Command]) parse.TryParse[Command] { return c.Limit(l.MaxLine, p) }
	storage := func(op Op) parse.TryParse[Command] {
		head := c.Seq4(key, flags, exptime, length, func(k seq.Sequence, f uint32, e int64, n int) sized[Command] {
			return sized[Command]{Command{Op: op, Key: k, Flags: f, Exptime: e}, n}
		})
		if op == OpCas {
			head = c.Seq2(head, u64, func(h sized[Command], cas uint64) sized[Command] { h.v.Cas = cas; return h })
		}
		head = c.Seq2(head, noreply, func(h sized[Command], nr bool) sized[Command] { h.v.NoReply = nr; return h })
		head = checked(c.Limit(l.MaxLine, c.Then(c.Literal(op.String()), head)), l.MaxItem)
		return c.Before(c.Sized(head, func(h sized[Command]) int { return h.n }, c.Rest(), nil,
			func(h sized[Command], data seq.Sequence) Command { h.v.Data = data; return h.v }), crlf)
	}
	keys := c.Many(key, 1, l.MaxKeys)
	get := func(op Op) parse.TryParse[Command] {
		if op == OpGat || op == OpGats {
			return line(c.Then(c.Literal(op.String()), c.Seq3(exptime, keys, eol,
				func(e int64, ks []seq.Sequence, _ string) Command { return Command{Op: op, Exptime: e, Keys: ks} })))
		}
		return line(c.Then(c.Literal(op.String()), c.Before(c.Map(keys,
			func(ks []seq.Sequence) Command { return Command{Op: op, Keys: ks} }), eol)))
	}
	keyed := func(op Op) parse.TryParse[Command] {
		return line(c.Then(c.Literal(op.String()), c.Seq2(key, noreply,
			func(k seq.Sequence, nr bool) Command { return Command{Op: op, Key: k, NoReply: nr} })))
	}
	delta := func(op Op) parse.TryParse[Command] {
		return line(c.Then(c.Literal(op.String()), c.Seq3(key, u64, noreply,
			func(k seq.Sequence, d uint64, nr bool) Command { return Command{Op: op, Key: k, Delta: d, NoReply: nr} })))
	}
	touch := line(c.Then(c.Literal("touch"), c.Seq3(key, exptime, noreply,
		func(k seq.Sequence, e int64, nr bool) Command {
			return Command{Op: OpTouch, Key: k, Exptime: e, NoReply: nr}
		})))
	bare := func(op Op) parse.TryParse[Command] {
		return line(c.Map(c.Then(c.Literal(op.String()), eol), func(string) Command { return Command{Op: op} }))
	}
	withArgs := func(op Op) parse.TryParse[Command] {
		return line(c.Map(c.Then(c.Literal(op.String()), rest), func(a seq.Sequence) Command { return Command{Op: op, Args: a} }))
	}
	fromClient := c.Dispatch(map[byte]parse.TryParse[Command]{
		's': c.Alt(storage(OpSet), withArgs(OpStats)),
		'a': c.Alt(storage(OpAdd), storage(OpAppend)),
		'r': storage(OpReplace),
		'p': storage(OpPrepend),
		'c': storage(OpCas),
		'g': c.Alt(get(OpGets), get(OpGats), get(OpGet), get(OpGat)),
		'd': c.Alt(keyed(OpDelete), delta(OpDecr)),
		'i': delta(OpIncr),
		't': touch,
		'v': c.Alt(bare(OpVersion), withArgs(OpVerbosity)),
		'f': withArgs(OpFlushAll),
		'q': bare(OpQuit),
	}, nil)

	rline := func(p parse.TryParse[Reply]) parse.TryParse[Reply] { return c.Limit(l.MaxLine, p) }
	word := func(k Kind) parse.TryParse[Reply] {
		return rline(c.Map(c.Then(c.Literal(k.String()), eol), func(string) Reply { return Reply{Kind: k} }))
	}
	text := func(k Kind) parse.TryParse[Reply] {
		return rline(c.Map(c.Then(c.Literal(k.String()+" "), c.Line()), func(t seq.Sequence) Reply { return Reply{Kind: k, Text: t} }))
	}
	valueHead := checked(c.Limit(l.MaxLine, c.Then(c.Literal("VALUE"), c.Seq4(key, flags, length, c.Before(c.Opt(u64), eol),
		func(k seq.Sequence, f uint32, n int, cas c.Maybe[uint64]) sized[Reply] {
			return sized[Reply]{Reply{Kind: KindValue, Key: k, Flags: f, Cas: cas.Value, HasCas: cas.Ok}, n}
		}))), l.MaxItem)
	value := c.Before(c.Sized(valueHead, func(h sized[Reply]) int { return h.n }, c.Rest(), nil,
		func(h sized[Reply], data seq.Sequence) Reply { h.v.Data = data; return h.v }), crlf)
	number := rline(c.Map(c.Before(c.Label("number", c.Decimal[uint64](0, math.MaxUint64, 0)), eol),
		func(n uint64) Reply { return Reply{Kind: KindNumber, Number: n} }))
	cases := map[byte]parse.TryParse[Reply]{
		'V': c.Alt(value, text(KindVersion)),
		'E': c.Alt(word(KindEnd), word(KindError), word(KindExists)),
		'S': c.Alt(word(KindStored), text(KindServerError), text(KindStat)),
		'N': c.Alt(word(KindNotStored), word(KindNotFound)),
		'D': word(KindDeleted),
		'T': word(KindTouched),
		'O': word(KindOK),
		'C': text(KindClientError),
	}
	for d := byte('0'); d <= '9'; d++ {
		cases[d] = number
	}
	fromServer := c.Dispatch(cases, nil)
	return grammars{c.Label("command", fromClient), c.Label("reply", fromServer)}
}

var defaultGrammars = newGrammars(Limits{})

// FromClient returns the grammar of the commands a client sends, with the
// limits l (a zero Limits means [DefaultLimits]). Declare it once and
// share it; read it with a message reader whose maximum message size is
// l.MessageSize():
//
//	r := parse.NewReader(src, memcache.FromClient(l), parse.Options{MaxMessageSize: l.MessageSize()})
func FromClient(l Limits) parse.TryParse[Command] {
	if l.orDefault() == DefaultLimits {
		return defaultGrammars.fromClient
	}
	return newGrammars(l).fromClient
}

// FromServer returns the grammar of the replies a server sends, with the
// limits l, as [FromClient].
func FromServer(l Limits) parse.TryParse[Reply] {
	if l.orDefault() == DefaultLimits {
		return defaultGrammars.fromServer
	}
	return newGrammars(l).fromServer
}
