package pipeline

import (
	"errors"
	"fmt"
)

// ErrInvalidValue marks an error about a bad value in the data a stage
// was given (a null, a NaN, an unknown category where the stage's
// handle_invalid policy is error), as opposed to a failure of the stage
// itself: a server answers it as a client error. Test with errors.Is.
var ErrInvalidValue = errors.New("invalid value")

// InvalidValue returns an error with the formatted message (unchanged)
// that errors.Is matches to ErrInvalidValue. Wrap errors in format with %w
// as usual.
func InvalidValue(format string, args ...any) error {
	return &invalidValueError{err: fmt.Errorf(format, args...)}
}

type invalidValueError struct{ err error }

func (e *invalidValueError) Error() string        { return e.err.Error() }
func (e *invalidValueError) Unwrap() error        { return e.err }
func (e *invalidValueError) Is(target error) bool { return target == ErrInvalidValue }
