// Package cpu reports the instruction set extensions the assembly of this
// module picks its loops by. It has no dependencies, so that the packages
// with assembly (internal/indexall, framing/websocket) share one detection
// instead of each carrying its own CPUID code.
package cpu
