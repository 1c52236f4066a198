package online

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/param"
)

// Learner is an incremental learner driven by its caller (reverse
// communication): the caller owns the loop and hands it batches. A Learner
// is not safe for concurrent use.
type Learner interface {
	// Kind returns the learner's kind name (as registered).
	Kind() string
	// Params returns the learner's params.
	Params() *param.Set
	// Update learns the rows of rec in order; rec is borrowed. A bad row
	// fails the whole batch before any row is learned.
	Update(ctx context.Context, rec arrow.Record) error
	// Rows returns the number of rows learned.
	Rows() int64
	// Snapshot encodes the whole learner state; Restore continues from it
	// bit for bit.
	Snapshot() ([]byte, error)
	// Restore replaces the learner's state by a Snapshot.
	Restore(b []byte) error
	// ModelData returns the model data of the matching batch model kind
	// (Spec.ModelKind), stamped with version (pipeline.ModelVersionKey);
	// the caller owns one Release of each record.
	ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error)
}

// Scorer is the optional ability of a Learner to predict each row before
// learning it (test-then-train). UpdatePredict is Update that also writes
// into dst (grown as needed) the learner's raw outputs for the batch; what
// they are depends on the learner, and Spec.Outputs turns them into
// prediction and probability columns.
type Scorer interface {
	UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error)
}

// WarmStarter is the optional ability of a Learner to start from the model
// data of a batch model of its Spec.ModelKind.
type WarmStarter interface {
	WarmStart(data ...arrow.Record) error
}

// Tasks of a learner (Spec.Task).
const (
	TaskBinary     = "binary"
	TaskMulticlass = "multiclass"
	TaskRegression = "regression"
	TaskClustering = "clustering"
	// TaskTransform is a learner of feature statistics (a scaler): it has
	// no prediction.
	TaskTransform = "transform"
)

// OutputsFunc turns the raw values a Scorer's UpdatePredict wrote for a
// batch of n rows into one prediction per row (a class label, a value or a
// cluster index; NaN when the learner cannot predict yet) and, for binary
// classifiers with probabilities, P(positive label) per row (else nil).
// It writes into pred and prob, grown as needed, and returns them.
type OutputsFunc func(l Learner, raw []float64, n int, pred, prob []float64) ([]float64, []float64)

// Spec registers a learner kind.
type Spec struct {
	// Kind is the learner's kind name, matching ^[a-z][a-z0-9_]*$.
	Kind string
	// ModelKind is the batch model kind (pipeline/registry) of its model
	// data: SetModelData on a model of that kind hot-swaps it.
	ModelKind string
	// Task is one of TaskBinary, TaskMulticlass, TaskRegression,
	// TaskClustering or TaskTransform.
	Task string
	// Doc is a one-line description.
	Doc string
	// New builds a learner from param values (nil means defaults).
	New func(values map[string]any) (Learner, error)
	// Outputs maps UpdatePredict values to columns for Scorers; nil means
	// the raw values are the predictions (one per row), with no
	// probability.
	Outputs OutputsFunc
}

// ErrUnknownKind is returned (wrapped) for a kind nobody registered.
var ErrUnknownKind = errors.New("unknown learner kind")

var (
	kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	mu     sync.RWMutex
	specs  = map[string]Spec{}
)

// Register adds a learner kind to the global registry. It fails on an
// invalid or duplicate kind, an unknown task or a nil constructor.
func Register(spec Spec) error {
	if !kindRE.MatchString(spec.Kind) {
		return fmt.Errorf("online: register: kind %q does not match %s", spec.Kind, kindRE)
	}
	switch spec.Task {
	case TaskBinary, TaskMulticlass, TaskRegression, TaskClustering, TaskTransform:
	default:
		return fmt.Errorf("online: register %q: unknown task %q", spec.Kind, spec.Task)
	}
	if spec.New == nil {
		return fmt.Errorf("online: register %q: nil New", spec.Kind)
	}
	if spec.ModelKind == "" {
		return fmt.Errorf("online: register %q: empty model kind", spec.Kind)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := specs[spec.Kind]; ok {
		return fmt.Errorf("online: register: kind %q registered twice", spec.Kind)
	}
	specs[spec.Kind] = spec
	return nil
}

// MustRegister is Register for init functions: it panics on error.
func MustRegister(spec Spec) {
	if err := Register(spec); err != nil {
		panic(err)
	}
}

// Lookup returns the spec of kind, or an error wrapping ErrUnknownKind that
// lists the known kinds.
func Lookup(kind string) (Spec, error) {
	mu.RLock()
	s, ok := specs[kind]
	mu.RUnlock()
	if !ok {
		return Spec{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownKind, kind, strings.Join(Kinds(), ", "))
	}
	return s, nil
}

// Kinds returns the registered kinds, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	ks := make([]string, 0, len(specs))
	for k := range specs {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// New builds a learner of kind from param values (nil means defaults).
func New(kind string, values map[string]any) (Learner, error) {
	s, err := Lookup(kind)
	if err != nil {
		return nil, err
	}
	l, err := s.New(values)
	if err != nil {
		return nil, err
	}
	if l.Kind() != kind {
		return nil, fmt.Errorf("online: kind %q built a learner of kind %q", kind, l.Kind())
	}
	return l, nil
}

// ScoreOutputs returns the spec's Outputs, or RawPredictions when nil.
func (s Spec) ScoreOutputs() OutputsFunc {
	if s.Outputs != nil {
		return s.Outputs
	}
	return RawPredictions
}

// RawPredictions is the OutputsFunc of learners whose raw values are the
// predictions: it copies raw[:n] into pred and returns no probability.
func RawPredictions(_ Learner, raw []float64, n int, pred, prob []float64) ([]float64, []float64) {
	pred = append(pred[:0], raw[:n]...)
	return pred, nil
}

// BinaryProbability returns the OutputsFunc of binary classifiers whose raw
// value is P(positive label): the prediction is the positive label when
// p > 0.5, else the negative one (as logistic_regression_model predicts);
// labels returns the (negative, positive) labels of the learner.
func BinaryProbability(labels func(Learner) [2]float64) OutputsFunc {
	return func(l Learner, raw []float64, n int, pred, prob []float64) ([]float64, []float64) {
		lab := labels(l)
		pred, prob = grow(pred, n), grow(prob, n)
		copy(prob, raw[:n])
		for i, p := range raw[:n] {
			if p > 0.5 {
				pred[i] = lab[1]
			} else {
				pred[i] = lab[0]
			}
		}
		return pred, prob
	}
}

// BinaryMargin returns the OutputsFunc of binary classifiers whose raw value
// is a margin (positive means the positive label), without probability.
func BinaryMargin(labels func(Learner) [2]float64) OutputsFunc {
	return func(l Learner, raw []float64, n int, pred, prob []float64) ([]float64, []float64) {
		lab := labels(l)
		pred = grow(pred, n)
		for i, m := range raw[:n] {
			if m > 0 {
				pred[i] = lab[1]
			} else {
				pred[i] = lab[0]
			}
		}
		return pred, nil
	}
}

// ArgmaxClass returns the OutputsFunc of multiclass learners whose raw
// values are K class probabilities per row (row-major, K = len(classes)):
// the prediction is the class of the largest probability (NaN with no
// class yet).
func ArgmaxClass(classes func(Learner) []float64) OutputsFunc {
	return func(l Learner, raw []float64, n int, pred, prob []float64) ([]float64, []float64) {
		cs := classes(l)
		pred = grow(pred, n)
		k := len(cs)
		for i := range n {
			if k == 0 || len(raw) < (i+1)*k {
				pred[i] = nanValue
				continue
			}
			row := raw[i*k : (i+1)*k]
			best := 0
			for j, p := range row {
				if p > row[best] {
					best = j
				}
			}
			pred[i] = cs[best]
		}
		return pred, nil
	}
}

var nanValue = math.NaN()

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// Specs returns every registered spec, sorted by kind.
func Specs() []Spec {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Spec) int { return strings.Compare(a.Kind, b.Kind) })
	return out
}
