//go:build !amd64 || purego

package cpu

// HasAVX2 is false where this module has no amd64 assembly (other
// architectures, or the purego build tag).
var HasAVX2 = false
