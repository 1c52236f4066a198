package registry

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
)

// kindPattern is what a kind name looks like: lowercase snake_case.
var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ErrUnknownKind is wrapped by the error for a kind no spec registers.
var ErrUnknownKind = errors.New("unknown stage kind")

// Spec registers a stage kind: its name, its doc and how to build it.
// Exactly one of New and NewComposite is set.
type Spec struct {
	Kind string
	Doc  string
	// New builds a stage from param values decoded from JSON or YAML (nil
	// means all defaults). It validates them and returns an error naming
	// the stage and the bad param (see param.Set.SetMap).
	New func(params map[string]any) (pipeline.Stage, error)
	// NewComposite builds a stage made of children (a pipeline).
	NewComposite func(params map[string]any, children []pipeline.Stage) (pipeline.Stage, error)
}

// Type tells what a registered stage is.
type Type string

// The stage types.
const (
	TypeTransformer Type = "transformer"
	TypeEstimator   Type = "estimator"
	TypeModel       Type = "model"
)

// Info describes a registered kind for the CLI and the docs.
type Info struct {
	Kind      string       `json:"kind"`
	Doc       string       `json:"doc"`
	Type      Type         `json:"type"`
	Composite bool         `json:"composite,omitempty"`
	Params    []param.Info `json:"params"`
}

type entry struct {
	spec Spec
	info Info
}

// Environment is a set of registered kinds. Flows, the CLI and model
// loading look kinds up in one; tests use their own. It is safe for
// concurrent use.
type Environment struct {
	mu    sync.RWMutex
	kinds map[string]entry
}

var global = newBuiltin()

// NewEnvironment returns a copy of the global environment: every kind
// registered by init functions so far.
func NewEnvironment() *Environment { return global.Clone() }

// NewEmptyEnvironment returns an environment with only the built-in kinds
// "pipeline" and "pipeline_model", which are part of the Stage API.
func NewEmptyEnvironment() *Environment { return newBuiltin() }

// Global returns the global environment, which init functions register
// into.
func Global() *Environment { return global }

// Register adds spec to the global environment.
func Register(spec Spec) error { return global.Register(spec) }

// MustRegister adds spec to the global environment and panics on error;
// it is meant for init functions, where a bad spec is a programming error.
func MustRegister(spec Spec) {
	if err := global.Register(spec); err != nil {
		panic(err)
	}
}

func newBuiltin() *Environment {
	env := &Environment{kinds: map[string]entry{}}
	for _, s := range []Spec{
		{
			Kind: pipeline.KindPipeline,
			Doc:  "Stages run in order; fitting it fits each estimator on the output of the stages before it and returns a pipeline_model.",
			NewComposite: func(params map[string]any, children []pipeline.Stage) (pipeline.Stage, error) {
				p, err := pipeline.NewPipeline(children...)
				if err != nil {
					return nil, err
				}
				return p, p.Params().SetMap(params)
			},
		},
		{
			Kind: pipeline.KindPipelineModel,
			Doc:  "Transformers and fitted models chained in order: the result of fitting a pipeline.",
			NewComposite: func(params map[string]any, children []pipeline.Stage) (pipeline.Stage, error) {
				ts := make([]pipeline.Transformer, len(children))
				for i, c := range children {
					t, ok := c.(pipeline.Transformer)
					if !ok {
						return nil, fmt.Errorf("stage %d (%s) is not a transformer", i, c.Kind())
					}
					ts[i] = t
				}
				m, err := pipeline.NewPipelineModel(ts...)
				if err != nil {
					return nil, err
				}
				return m, m.Params().SetMap(params)
			},
		},
	} {
		if err := env.Register(s); err != nil {
			panic(err)
		}
	}
	return env
}

// Clone returns an independent copy of env.
func (env *Environment) Clone() *Environment {
	env.mu.RLock()
	defer env.mu.RUnlock()
	c := &Environment{kinds: make(map[string]entry, len(env.kinds))}
	for k, v := range env.kinds {
		c.kinds[k] = v
	}
	return c
}

// Register adds a kind. It checks the name, that exactly one constructor
// is set, and builds one stage with default params to learn its type and
// params and to check that it reports the registered kind.
func (env *Environment) Register(spec Spec) error {
	if !kindPattern.MatchString(spec.Kind) {
		return fmt.Errorf("register stage kind %q: name must match %s", spec.Kind, kindPattern)
	}
	if (spec.New == nil) == (spec.NewComposite == nil) {
		return fmt.Errorf("register stage kind %q: set exactly one of New and NewComposite", spec.Kind)
	}
	var s pipeline.Stage
	var err error
	if spec.New != nil {
		s, err = spec.New(nil)
	} else {
		s, err = spec.NewComposite(nil, nil)
	}
	if err != nil {
		return fmt.Errorf("register stage kind %q: build with defaults: %w", spec.Kind, err)
	}
	if s == nil || s.Kind() != spec.Kind {
		got := "nil stage"
		if s != nil {
			got = fmt.Sprintf("kind %q", s.Kind())
		}
		return fmt.Errorf("register stage kind %q: constructor returned %s", spec.Kind, got)
	}
	typ, err := TypeOf(s)
	if err != nil {
		return fmt.Errorf("register stage kind %q: %w", spec.Kind, err)
	}
	info := Info{Kind: spec.Kind, Doc: spec.Doc, Type: typ, Composite: spec.NewComposite != nil}
	if ps := s.Params(); ps != nil {
		info.Params = ps.Describe()
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	if _, ok := env.kinds[spec.Kind]; ok {
		return fmt.Errorf("register stage kind %q: already registered", spec.Kind)
	}
	env.kinds[spec.Kind] = entry{spec: spec, info: info}
	return nil
}

// TypeOf tells whether s is a model, an estimator or a plain transformer.
func TypeOf(s pipeline.Stage) (Type, error) {
	switch s.(type) {
	case pipeline.Model:
		return TypeModel, nil
	case pipeline.Estimator:
		return TypeEstimator, nil
	case pipeline.Transformer:
		return TypeTransformer, nil
	}
	return "", fmt.Errorf("stage %q is neither a transformer, an estimator nor a model", s.Kind())
}

func (env *Environment) lookup(kind string) (entry, error) {
	env.mu.RLock()
	e, ok := env.kinds[kind]
	env.mu.RUnlock()
	if !ok {
		return entry{}, fmt.Errorf("%w %q; known kinds: %s", ErrUnknownKind, kind, strings.Join(env.Kinds(), ", "))
	}
	return e, nil
}

// Lookup returns the description of kind.
func (env *Environment) Lookup(kind string) (Info, error) {
	e, err := env.lookup(kind)
	return e.info, err
}

// Kinds returns the registered kind names, sorted.
func (env *Environment) Kinds() []string {
	env.mu.RLock()
	defer env.mu.RUnlock()
	out := make([]string, 0, len(env.kinds))
	for k := range env.kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Infos describes every registered kind, sorted by kind.
func (env *Environment) Infos() []Info {
	kinds := env.Kinds()
	out := make([]Info, 0, len(kinds))
	for _, k := range kinds {
		if e, err := env.lookup(k); err == nil {
			out = append(out, e.info)
		}
	}
	return out
}

// New builds a stage of kind from param values.
func (env *Environment) New(kind string, params map[string]any) (pipeline.Stage, error) {
	return env.NewWithChildren(kind, params, nil)
}

// NewWithChildren builds a stage of kind from param values and, for a
// composite kind, its children. Children given to a simple kind are an
// error.
func (env *Environment) NewWithChildren(kind string, params map[string]any, children []pipeline.Stage) (s pipeline.Stage, err error) {
	e, err := env.lookup(kind)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("stage %q: constructor panicked: %v", kind, r)
		}
	}()
	if e.spec.NewComposite != nil {
		s, err = e.spec.NewComposite(params, children)
	} else {
		if len(children) > 0 {
			return nil, fmt.Errorf("stage %q: not a composite kind, but given %d child stages", kind, len(children))
		}
		s, err = e.spec.New(params)
	}
	if err != nil {
		return nil, err
	}
	if s == nil || s.Kind() != kind {
		return nil, fmt.Errorf("stage %q: constructor returned a different stage", kind)
	}
	return s, nil
}
