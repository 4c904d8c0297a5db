// Package combinators builds TryParse grammars from small generic parsers.
//
// It is being built; see the project's issues.
package combinators
