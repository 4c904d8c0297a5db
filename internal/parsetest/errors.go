package parsetest

import (
	"encoding/hex"
	"errors"
	"strings"

	"github.com/sluicego/sluice/parse"
)

// Hex decodes hex bytes written with spaces between them as a reader
// would group them ("82 7e 00 80"); it panics on anything else, since its
// argument is a literal in a test.
func Hex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// SyntaxAt reports whether err is a *parse.SyntaxError at stream offset
// off that matches want with errors.Is.
func SyntaxAt(err error, off int64, want error) bool {
	var se *parse.SyntaxError
	return errors.As(err, &se) && se.Offset == off && errors.Is(err, want)
}
