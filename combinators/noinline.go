package combinators

// The constructors that return a parser as a closure are marked
// //go:noinline. When the compiler inlines such a constructor into the
// code that declares a grammar, it copies the closure, and calls inside
// the copy are not inlined again (https://go.dev/issue/81380): the
// parser would call Input.Consumed, Reader.Advance and the like instead
// of inlining them, on every message. Not inlined, the constructor
// returns the closure compiled with it, where they are. A grammar is
// declared once, so the constructor calls cost nothing that matters.
