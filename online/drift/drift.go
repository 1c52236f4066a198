package drift

import (
	"fmt"
	"sort"
)

// State is a detector's verdict after its last update.
type State int8

const (
	// Stable means no change is suspected.
	Stable State = iota
	// Warning means a change may be starting (DDM's warning level).
	Warning
	// Drift means the last update detected a change.
	Drift
)

// String returns "stable", "warning" or "drift".
func (s State) String() string {
	switch s {
	case Stable:
		return "stable"
	case Warning:
		return "warning"
	case Drift:
		return "drift"
	}
	return fmt.Sprintf("state(%d)", int8(s))
}

// Detector is a concept drift detector over a stream of float64 values,
// typically a classifier's 0/1 error indicator or a per-row loss. It is
// driven by its caller one value at a time and is not safe for concurrent
// use. Values must be finite: the stream operator checks them, direct
// callers must.
type Detector interface {
	// Name is the detector's kind ("adwin", "ddm", "page_hinkley").
	Name() string
	// Update adds x and reports whether a drift was detected at x.
	Update(x float64) (drift bool)
	// State is the verdict of the last Update.
	State() State
	// Statistic is the detector's test statistic after the last Update
	// (see each detector), reported with drift events.
	Statistic() float64
	// Reset forgets everything seen, keeping the configuration.
	Reset()
	// Snapshot encodes the configuration and the whole state; Restore of
	// those bytes continues bit for bit.
	Snapshot() ([]byte, error)
	// Restore replaces the configuration and state with a snapshot's.
	// Malformed bytes give an error and leave the detector unchanged.
	Restore(b []byte) error
}

// Kind names.
const (
	KindADWIN       = "adwin"
	KindDDM         = "ddm"
	KindPageHinkley = "page_hinkley"
)

var kinds = map[string]func() (Detector, error){
	KindADWIN:       func() (Detector, error) { return NewADWIN(ADWINConfig{}) },
	KindDDM:         func() (Detector, error) { return NewDDM(DDMConfig{}) },
	KindPageHinkley: func() (Detector, error) { return NewPageHinkley(PageHinkleyConfig{}) },
}

// New returns the detector of the given kind with its default
// configuration.
func New(kind string) (Detector, error) {
	f, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("drift: unknown detector kind %q (known: %v)", kind, Kinds())
	}
	return f()
}

// Kinds lists the detector kinds New knows, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
