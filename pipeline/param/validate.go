package param

import (
	"fmt"
	"slices"
	"strings"
)

// Validator checks a param value. Desc says what it requires ("> 0", "one
// of error, keep, skip") for docs; Check returns nil for a valid value or
// an error, without the stage and param names, that shows the value.
type Validator[T any] struct {
	Desc  string
	Check func(v T) error
}

// Number is the set of numeric param types the ordering validators accept.
type Number interface {
	int | int32 | int64 | float64
}

// Func makes a Validator from a description and a check.
func Func[T any](desc string, check func(v T) error) Validator[T] {
	return Validator[T]{Desc: desc, Check: check}
}

// Gt requires v > x.
func Gt[T Number](x T) Validator[T] {
	return cmpValidator(fmt.Sprintf("> %v", x), func(v T) bool { return v > x })
}

// GtEq requires v >= x.
func GtEq[T Number](x T) Validator[T] {
	return cmpValidator(fmt.Sprintf(">= %v", x), func(v T) bool { return v >= x })
}

// Lt requires v < x.
func Lt[T Number](x T) Validator[T] {
	return cmpValidator(fmt.Sprintf("< %v", x), func(v T) bool { return v < x })
}

// LtEq requires v <= x.
func LtEq[T Number](x T) Validator[T] {
	return cmpValidator(fmt.Sprintf("<= %v", x), func(v T) bool { return v <= x })
}

// InRange requires lo <= v <= hi.
func InRange[T Number](lo, hi T) Validator[T] {
	return cmpValidator(fmt.Sprintf("in [%v, %v]", lo, hi), func(v T) bool { return v >= lo && v <= hi })
}

// cmpValidator rejects NaN too: every comparison with NaN is false.
func cmpValidator[T Number](desc string, ok func(T) bool) Validator[T] {
	return Validator[T]{Desc: desc, Check: func(v T) error {
		if !ok(v) {
			return fmt.Errorf("must be %s, got %v", desc, v)
		}
		return nil
	}}
}

// OneOf requires v to be one of vals.
func OneOf[T bool | int | int32 | int64 | float64 | string](vals ...T) Validator[T] {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	desc := "one of " + strings.Join(parts, ", ")
	return Validator[T]{Desc: desc, Check: func(v T) error {
		if !slices.Contains(vals, v) {
			if s, ok := any(v).(string); ok {
				return fmt.Errorf("must be %s, got %q", desc, s)
			}
			return fmt.Errorf("must be %s, got %v", desc, v)
		}
		return nil
	}}
}

// NonEmpty requires a non-empty string.
func NonEmpty() Validator[string] {
	return Validator[string]{Desc: "non-empty", Check: func(v string) error {
		if v == "" {
			return fmt.Errorf("must be non-empty")
		}
		return nil
	}}
}

// NonEmptySlice requires at least one element.
func NonEmptySlice[E any]() Validator[[]E] {
	return Validator[[]E]{Desc: "non-empty", Check: func(v []E) error {
		if len(v) == 0 {
			return fmt.Errorf("must have at least one element")
		}
		return nil
	}}
}

// Distinct requires the elements of a list to differ (column lists).
func Distinct[E comparable]() Validator[[]E] {
	return Validator[[]E]{Desc: "distinct elements", Check: func(v []E) error {
		seen := make(map[E]int, len(v))
		for i, e := range v {
			if j, ok := seen[e]; ok {
				return fmt.Errorf("elements %d and %d are both %v", j, i, e)
			}
			seen[e] = i
		}
		return nil
	}}
}

// Each applies v to every element of a list; the error names the element.
func Each[E any](v Validator[E]) Validator[[]E] {
	return Validator[[]E]{Desc: "each " + v.Desc, Check: func(xs []E) error {
		for i, x := range xs {
			if err := v.Check(x); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		return nil
	}}
}
