// Package framing provides ready-made grammars and encoders for real protocols.
//
// It is being built; see the project's issues.
package framing
