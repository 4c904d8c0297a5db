// Package pipe moves bytes from a producer to a consumer through pooled segments, without copying them on the way.
//
// A [Pipe] has a [Writer] side, which asks for memory ([Writer.Buffer]),
// fills it, commits it ([Writer.Advance]) and makes it readable
// ([Writer.Flush]), and a [Reader] side, which reads everything flushed so
// far as a [seq.Sequence] and tells the pipe with [Reader.AdvanceTo] how
// much it consumed (may be freed) and how much it examined (need not be
// shown again until more arrives). Flow control, cancellation and
// completion follow .NET's System.IO.Pipelines; docs/mapping.md gives the
// correspondence and the few places where Go differs.
//
// The same [Reader] interface is implemented over an [io.Reader]
// ([NewReader]) and over a fixed sequence ([FromSequence], [FromBytes]), and
// [Writer] over an [io.Writer] ([NewWriter]), so code written against the
// interfaces works with all of them. [AsReader], [AsWriter], [CopyTo] and
// [CopyFrom] connect them to the io package; [NewConn] and [NewPair] make
// duplex pipes.
//
// # Lifetimes
//
// A read result's Buffer views the pipe's memory: it is valid until the
// next AdvanceTo or Complete on the reader that returned it. After
// AdvanceTo the segments before the consumed position go back to the
// [Pool]; a [seq.Sequence] or [seq.Position] still pointing into one then
// panics when used, and in test binaries not running benchmarks (or with
// [Options.Poison]) the memory is overwritten so that a plain []byte kept too long reads as
// garbage. Memory returned by [Writer.Buffer] is the writer's until
// Advance; after it, earlier buffers must not be written to.
//
// # Flow control
//
// A Flush on a [Pipe] waits when the reader has [Options.PauseThreshold]
// or more flushed bytes not yet examined, and goes on once the reader's
// AdvanceTo leaves fewer than [Options.ResumeThreshold]. A read that
// examined every buffered byte waits for new ones.
//
// # Completion, errors and cancellation
//
// Each side ends with Complete, which frees its memory. Completing the
// writer with an error makes every later read return that error together
// with the bytes flushed before it, so that nothing written before the
// error is lost; completing the reader makes the writer's flushes report
// Completed (and the reader's error) and drop what is written. A ctx that
// ends makes the waiting call return ctx.Err() with nothing lost (a read
// blocked in an io.Reader without read deadlines cannot be interrupted:
// see [NewReader]);
// [Reader.CancelPendingRead] and [Writer.CancelPendingFlush] end a waiting
// call, from any goroutine, with Canceled set in its result and no error.
// Misuse that would corrupt memory panics with a message naming it; a read
// made while the reader is busy returns an error matching
// [ErrReadInProgress].
//
// # Goroutines
//
// A Pipe's reader and writer may be used from two goroutines at once; each
// side by one goroutine at a time, except the CancelPending methods. The
// readers and writers over io.Reader, io.Writer and sequences start no
// goroutine and do their I/O on the caller's.
package pipe
