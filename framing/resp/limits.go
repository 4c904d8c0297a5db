package resp

// Limits bound what a peer can make a decoder accept and buffer. Each
// field left zero takes its default; a negative field means the default
// too. Declared sizes are checked before anything they declare is
// buffered.
type Limits struct {
	// MaxBulk bounds the bytes of one bulk string, bulk error, verbatim
	// string or chunk of a streamed string: DefaultMaxBulk by default.
	MaxBulk int
	// MaxElems bounds the elements of one aggregate, a map's keys and
	// values counted each, and the arguments of a command:
	// DefaultMaxElems by default.
	MaxElems int
	// MaxDepth bounds the nesting of aggregates: a value inside more than
	// MaxDepth aggregates is refused. DefaultMaxDepth by default.
	MaxDepth int
	// MaxLine bounds a simple string, an error, a double and a big number,
	// and an inline command's line, without its CRLF: DefaultMaxLine by
	// default.
	MaxLine int
	// MaxMessage is the maximum message size of the readers that
	// [NewValueReader] and [NewCommandReader] make: it bounds a whole
	// value or command, and so what one connection can make the reader
	// buffer. DefaultMaxMessage by default.
	MaxMessage int
}

// The default limits. See docs/resp.md for why these values.
const (
	// DefaultMaxBulk is 8 MiB: redis-server accepts 512 MB
	// (proto-max-bulk-len), which as a default would let every connection
	// make its reader hold half a gigabyte; values that large are rare and
	// are better raised knowingly.
	DefaultMaxBulk = 8 << 20
	// DefaultMaxElems is 1 Mi (1048576) elements, the count redis-server
	// itself long allowed in a command.
	DefaultMaxElems = 1 << 20
	// DefaultMaxDepth is 64 levels of aggregates; redis replies nest a few
	// levels (COMMAND DOCS about 6).
	DefaultMaxDepth = 64
	// DefaultMaxLine is 64 KiB, redis-server's limit on an inline command
	// (PROTO_INLINE_MAX_SIZE).
	DefaultMaxLine = 64 << 10
	// DefaultMaxMessage is 16 MiB: two bulk strings of the default
	// maximum, or an LRANGE of ten thousand 1 KiB values.
	DefaultMaxMessage = 16 << 20
)

// withDefaults returns l with every unset limit set to its default.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxBulk, DefaultMaxBulk)
	def(&l.MaxElems, DefaultMaxElems)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxLine, DefaultMaxLine)
	def(&l.MaxMessage, DefaultMaxMessage)
	return l
}
