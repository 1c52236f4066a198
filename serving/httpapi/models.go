package httpapi

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/modelstore"
)

// model is one loaded, immutable model version.
type model struct {
	name    string
	version int64
	stage   pipeline.Transformer
	info    modelstore.Info
	plan    *plan    // from ParamInputSchema; nil: infer per request
	outCols []string // from ParamOutputCols; nil: added columns
	// With a plan, the output schema and the returned columns are known
	// once for all.
	outSchema *arrow.Schema
	outIdx    []int
	// Per-request constants: the Eddy-Model-Version header value and
	// the model's rows counter (set by Server.load; nil in bare tests).
	versionHeader []string
	rows          prometheus.Counter
	// arrow caches the plan of the last Arrow request's schema.
	arrow atomic.Pointer[arrowPlan]
	// rowPath scores small JSON requests row by row; nil: none.
	rowPath *rowPath
}

// countRows adds n scored rows to the model's counter.
func (m *model) countRows(n int64) {
	if m.rows != nil {
		m.rows.Add(float64(n))
	}
}

// setHeaders sets the Content-Type and Eddy-Model-Version headers of a
// prediction, sharing preallocated values (net/http never modifies them).
func (m *model) setHeaders(h http.Header, contentType []string) {
	h["Content-Type"] = contentType
	h["Eddy-Model-Version"] = m.versionHeader
}

var (
	contentTypeJSON  = []string{"application/json"}
	contentTypeArrow = []string{ContentTypeArrowStream}
)

// newModel prepares a loaded stage for serving.
func newModel(name string, v modelstore.Version, st pipeline.Stage) (*model, error) {
	t, ok := st.(pipeline.Transformer)
	if !ok {
		return nil, fmt.Errorf("model %q version %d: kind %q is not a transformer or fitted model", name, v.Version, st.Kind())
	}
	m := &model{name: name, version: v.Version, stage: t, info: v.Info, outCols: outputCols(v.Info),
		versionHeader: []string{strconv.FormatInt(v.Version, 10)}}
	in, err := InputSchema(v.Info)
	if err != nil {
		return nil, fmt.Errorf("model %q version %d: %w", name, v.Version, err)
	}
	if in != nil {
		if m.plan, err = newPlan(in); err != nil {
			return nil, fmt.Errorf("model %q version %d: input schema: %w", name, v.Version, err)
		}
		if m.outSchema, m.outIdx, err = m.outputs(in); err != nil {
			return nil, fmt.Errorf("model %q version %d: %w", name, v.Version, err)
		}
		m.rowPath = newRowPath(m)
	}
	return m, nil
}

// outputs returns the model's output schema for input schema in and the
// indices of the columns a prediction returns.
func (m *model) outputs(in *arrow.Schema) (*arrow.Schema, []int, error) {
	out, err := m.stage.OutputSchema(in)
	if err != nil {
		return nil, nil, err
	}
	var idx []int
	if m.outCols != nil {
		for _, c := range m.outCols {
			i := out.FieldIndices(c)
			if len(i) == 0 {
				return nil, nil, fmt.Errorf("params[%s]: column %q is not in the model's output", ParamOutputCols, c)
			}
			idx = append(idx, i[0])
		}
		return out, idx, nil
	}
	for i, f := range out.Fields() {
		if !in.HasField(f.Name) {
			idx = append(idx, i)
		}
	}
	return out, idx, nil
}

// transform runs the model on rec, turning a panic into CodeModelPanic.
func (m *model) transform(ctx context.Context, rec arrow.Record) (out arrow.Record, e *Error) {
	defer func() {
		if r := recover(); r != nil {
			out, e = nil, errorf(CodeModelPanic, "model %q version %d panicked: %v", m.name, m.version, r)
		}
	}()
	out, err := m.stage.Transform(ctx, rec)
	if err != nil {
		if errors.Is(err, pipeline.ErrInvalidValue) {
			// Bad data in the request, not a broken model.
			return nil, errorf(CodeInvalidValue, "model %q version %d: %v", m.name, m.version, err)
		}
		return nil, errorf(CodeModelFailed, "model %q version %d: %v", m.name, m.version, err)
	}
	if out == nil {
		return nil, errorf(CodeModelFailed, "model %q version %d returned no batch", m.name, m.version)
	}
	return out, nil
}

// deployedSet is the copy-on-write map of deployed models: readers load
// the pointer without locks; the watcher swaps in a new map.
type deployedSet map[string]*model

// pinnedCache is a small LRU of loaded versions with one load in flight
// per key.
type pinnedCache struct {
	mu       sync.Mutex
	max      int
	ll       *list.List // of *model, front = most recent
	byKey    map[pinKey]*list.Element
	inflight map[pinKey]*loadCall
}

type pinKey struct {
	name    string
	version int64
}

type loadCall struct {
	done chan struct{}
	m    *model
	err  error
}

func newPinnedCache(max int) *pinnedCache {
	return &pinnedCache{max: max, ll: list.New(), byKey: map[pinKey]*list.Element{}, inflight: map[pinKey]*loadCall{}}
}

// get returns the cached version or loads it with load, sharing one load
// among concurrent callers.
func (c *pinnedCache) get(ctx context.Context, k pinKey, load func(context.Context) (*model, error)) (*model, error) {
	c.mu.Lock()
	if e, ok := c.byKey[k]; ok {
		c.ll.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*model), nil
	}
	call, ok := c.inflight[k]
	if !ok {
		call = &loadCall{done: make(chan struct{})}
		c.inflight[k] = call
		go func() {
			// Detached from the request: a cancelled client must not
			// fail the load for the others waiting on it.
			call.m, call.err = load(context.WithoutCancel(ctx))
			c.mu.Lock()
			delete(c.inflight, k)
			if call.err == nil && c.max > 0 {
				c.byKey[k] = c.ll.PushFront(call.m)
				for c.ll.Len() > c.max {
					old := c.ll.Remove(c.ll.Back()).(*model)
					delete(c.byKey, pinKey{old.name, old.version})
				}
			}
			c.mu.Unlock()
			close(call.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.m, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dropModel forgets the cached versions of a model (after a delete).
func (c *pinnedCache) drop(name string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[pinKey{name, version}]; ok {
		c.ll.Remove(e)
		delete(c.byKey, pinKey{name, version})
	}
}

// aliasCache maps "name@ref" to a version number; the watcher drops a
// model's entries on any event of that model.
type aliasCache struct {
	mu sync.RWMutex
	m  map[string]map[string]int64
}

func (a *aliasCache) get(name, ref string) (int64, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	v, ok := a.m[name][ref]
	return v, ok
}

func (a *aliasCache) put(name, ref string, v int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]map[string]int64{}
	}
	if a.m[name] == nil {
		a.m[name] = map[string]int64{}
	}
	a.m[name][ref] = v
}

func (a *aliasCache) invalidate(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.m, name)
}

// storeError maps a registry error to the API catalogue.
func storeError(err error, name, ref string) *Error {
	switch {
	case errors.Is(err, modelstore.ErrNotFound):
		if ref == "" || ref[0] >= '0' && ref[0] <= '9' {
			return errorf(CodeVersionNotFound, "model %q version %s: not found", name, ref)
		}
		return errorf(CodeAliasNotFound, "model %q: alias %q not found", name, ref)
	case errors.Is(err, modelstore.ErrInvalidName):
		return errorf(CodeModelNotFound, "%v", err)
	case errors.Is(err, modelstore.ErrInvalidTransition):
		return errorf(CodeInvalidTransition, "%v", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errorf(CodeModelUnavailable, "model %q: %v", name, err)
	}
	return errorf(CodeRegistryUnavailable, "model %q: registry: %v", name, err)
}

func sortedNames(d deployedSet) []string {
	names := make([]string, 0, len(d))
	for n := range d {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
