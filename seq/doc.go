// Package seq provides zero-copy, read-only views over chains of byte segments.
//
// # Segments
//
// A [Segment] is one buffer of at most [MaxSegment] bytes. Segments are
// linked into a chain ([Segment.Link]); each knows the running index of its
// first byte in the chain, so that any byte of the chain has an index. A
// producer (a pipe's writer, or [Of] and [Chain] for bytes a caller already
// has) owns the segments: it fills them ([Segment.Available],
// [Segment.Commit]), links them and, when their bytes have been consumed,
// recycles them.
//
// # Positions and sequences
//
// A [Position] names a byte of a chain: a segment and an offset in it. A
// [Sequence] is the view of the bytes between two positions; it is a small
// value (three words) that aliases the segments' memory and never copies it,
// except in the methods that say they do ([Sequence.Bytes],
// [Sequence.String], [Sequence.AppendTo], [Sequence.CopyTo]). A [Reader] is a
// cursor over a sequence that decodes bytes, integers and delimited runs
// across segment boundaries. Sub-sequences, positions and readers taken from
// a sequence share its lifetime.
//
// # Lifetimes and generations
//
// Whoever produced a view decides how long its memory stays valid; for a
// buffer read from a pipe that is until the next AdvanceTo on the pipe's
// reader (docs/lifetimes.md has the full table). When the producer is done
// with a segment it calls [Segment.Recycle], which changes the segment's
// generation. Only the producer recycles, and only segments no consumer is
// entitled to read any more; it recycles the segments of a chain in order,
// from the first.
//
// Every position and sequence remembers the generation of its segment (a
// sequence, that of its first segment); a position taken from a stale
// sequence is stale too, and stays so. Every method that reads bytes, a
// length or an index through a stale view panics, in every build, with a
// message that starts "seq: use of a Position or Sequence whose segment was
// recycled", instead of showing bytes that now belong to another message. The
// check is exact: a segment's generation never returns to an earlier value,
// because the recycle that would wrap it retires the segment and moves its
// memory to a new one ([Segment.Recycle]). A []byte cut from a sequence
// ([Sequence.First], [Sequence.Chunks], [Reader.Span]) carries no generation
// and cannot be checked; poisoning ([Poison]) makes such a slice kept too
// long read as garbage in tests.
//
// Other misuse panics too: an offset or length outside a sequence or a
// segment, and [Between] with its end before its start. Running short of
// bytes is not misuse: [Reader] methods report it (false, or [ErrShort]), as
// they report a varint too long for 64 bits ([ErrOverflow]).
package seq
