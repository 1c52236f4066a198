package pipeline

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestInvalidValue(t *testing.T) {
	err := InvalidValue("column %q row %d: %w", "x", 3, io.EOF)
	if err.Error() != `column "x" row 3: EOF` {
		t.Errorf("message %q", err)
	}
	wrapped := fmt.Errorf("stage 0: %w", err)
	if !errors.Is(wrapped, ErrInvalidValue) || !errors.Is(wrapped, io.EOF) {
		t.Errorf("errors.Is through wrapping: invalid %v, EOF %v", errors.Is(wrapped, ErrInvalidValue), errors.Is(wrapped, io.EOF))
	}
	if errors.Is(errors.New("other"), ErrInvalidValue) {
		t.Error("a plain error matched ErrInvalidValue")
	}
}
