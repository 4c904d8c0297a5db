package parsetest

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// Refusal is where a reference reader in a test stops on its input: the
// error a decoder must give there (a sentinel matched with errors.Is, or
// io.ErrUnexpectedEOF for input that ends inside a message, whose offset
// is not compared) and the stream offset of the violation.
type Refusal struct {
	Off  int64
	Want error
}

// Mismatch returns "" when got is the error r calls for (none for a nil
// r: the input is whole and valid), and otherwise says how they differ.
func (r *Refusal) Mismatch(got error) string {
	switch {
	case r == nil && got == nil:
		return ""
	case r == nil || got == nil:
		return fmt.Sprintf("error %v, reference %v", got, r)
	case r.Want == io.ErrUnexpectedEOF:
		if !errors.Is(got, io.ErrUnexpectedEOF) {
			return fmt.Sprintf("error %v, reference a truncation", got)
		}
		return ""
	case !SyntaxAt(got, r.Off, r.Want):
		return fmt.Sprintf("error %v, reference %v at %d", got, r.Want, r.Off)
	}
	return ""
}
