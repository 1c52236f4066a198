package window

import (
	"fmt"
	"time"
)

type assignerKind uint8

const (
	kindTumbling assignerKind = iota + 1
	kindSliding
	kindSession
)

// Assigner says which windows a row belongs to, by its event time: fixed
// tumbling windows, overlapping sliding windows, or per-key sessions that
// close after a gap of inactivity. Windows are half-open [start, end) in
// milliseconds since the Unix epoch; tumbling and sliding windows are
// aligned to the epoch (start is a multiple of the slide).
type Assigner struct {
	kind              assignerKind
	size, slide, gap  int64 // ms
	sizeD, slideD, gD time.Duration
}

// Tumbling returns windows of size that do not overlap: a row at t belongs
// to [t - t mod size, ... + size).
func Tumbling(size time.Duration) Assigner {
	return Assigner{kind: kindTumbling, size: size.Milliseconds(), slide: size.Milliseconds(), sizeD: size, slideD: size}
}

// Sliding returns windows of size starting every slide: a row belongs to
// every window that contains it (size/slide of them when slide divides
// size; none may contain it when slide > size).
func Sliding(size, slide time.Duration) Assigner {
	return Assigner{kind: kindSliding, size: size.Milliseconds(), slide: slide.Milliseconds(), sizeD: size, slideD: slide}
}

// Session returns per-key session windows: a row at t opens [t, t+gap),
// and windows of the same key that overlap or touch merge into one.
func Session(gap time.Duration) Assigner {
	return Assigner{kind: kindSession, gap: gap.Milliseconds(), gD: gap}
}

func (a Assigner) String() string {
	switch a.kind {
	case kindTumbling:
		return fmt.Sprintf("tumbling(%v)", a.sizeD)
	case kindSliding:
		return fmt.Sprintf("sliding(%v,%v)", a.sizeD, a.slideD)
	case kindSession:
		return fmt.Sprintf("session(%v)", a.gD)
	}
	return "unset"
}

// validate checks the durations: whole milliseconds, at least 1ms.
func (a Assigner) validate() error {
	check := func(what string, d time.Duration) error {
		if d < time.Millisecond || d%time.Millisecond != 0 {
			return fmt.Errorf("window %s: %s %v: want a positive whole number of milliseconds", a, what, d)
		}
		return nil
	}
	switch a.kind {
	case kindTumbling:
		return check("size", a.sizeD)
	case kindSliding:
		if err := check("size", a.sizeD); err != nil {
			return err
		}
		return check("slide", a.slideD)
	case kindSession:
		return check("gap", a.gD)
	}
	return fmt.Errorf("window: no assigner (use Tumbling, Sliding or Session)")
}

// lastStart returns the start of the latest window (tumbling, sliding)
// containing ts; earlier ones start every slide before it while start >
// ts - size.
func (a Assigner) lastStart(ts int64) int64 {
	return ts - mod(ts, a.slide)
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// addSat adds without overflowing past the int64 range (watermarks reach
// math.MaxInt64).
func addSat(a, b int64) int64 {
	s := a + b
	if b > 0 && s < a {
		return 1<<63 - 1
	}
	return s
}
