// Package fuzz helps users property-test and fuzz their own streaming parsers.
//
// It is being built; see the project's issues.
package fuzz
