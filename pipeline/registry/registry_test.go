package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
)

func testEnv(t *testing.T) *registry.Environment {
	t.Helper()
	env := registry.NewEmptyEnvironment()
	if err := toystage.Register(env); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestRegisterAndLookup(t *testing.T) {
	env := testEnv(t)
	want := []string{"add_constant", "mean_center", "mean_center_model", "pipeline", "pipeline_model"}
	if got := env.Kinds(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	for kind, typ := range map[string]registry.Type{
		"add_constant":      registry.TypeTransformer,
		"mean_center":       registry.TypeEstimator,
		"mean_center_model": registry.TypeModel,
		"pipeline":          registry.TypeEstimator,
		"pipeline_model":    registry.TypeModel,
	} {
		info, err := env.Lookup(kind)
		if err != nil {
			t.Fatal(err)
		}
		if info.Type != typ || info.Kind != kind || info.Doc == "" {
			t.Errorf("Lookup(%q) = %+v, want type %s", kind, info, typ)
		}
		if info.Composite != strings.HasPrefix(kind, "pipeline") {
			t.Errorf("%s: composite = %v", kind, info.Composite)
		}
	}
	info, _ := env.Lookup("add_constant")
	var names []string
	for _, p := range info.Params {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "input_col,output_col,value" || info.Params[2].Default != 1.0 {
		t.Fatalf("add_constant params = %+v", info.Params)
	}
	if len(env.Infos()) != 5 {
		t.Fatalf("Infos() has %d entries", len(env.Infos()))
	}
}

func TestNewFromParams(t *testing.T) {
	env := testEnv(t)
	s, err := env.New("add_constant", map[string]any{"value": 2.5, "input_col": "a"})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Params().Values(); v["value"] != 2.5 || v["input_col"] != "a" {
		t.Fatalf("params %v", v)
	}
	for i, tc := range []struct {
		kind   string
		params map[string]any
		err    string
	}{
		0: {"nope", nil, `unknown stage kind "nope"; known kinds: add_constant, mean_center, mean_center_model, pipeline, pipeline_model`},
		1: {"add_constant", map[string]any{"value": "big"}, `stage "add_constant": param "value": want float64, got string "big"`},
		2: {"add_constant", map[string]any{"valeu": 1}, `stage "add_constant": param "valeu": unknown param; known params: input_col, output_col, value`},
		3: {"mean_center", map[string]any{"input_col": ""}, `stage "mean_center": param "input_col": must be non-empty`},
	} {
		_, err := env.New(tc.kind, tc.params)
		if err == nil || err.Error() != tc.err {
			t.Errorf("%d: New(%q) error = %v, want %q", i, tc.kind, err, tc.err)
		}
	}
	if _, err := env.New("nope", nil); !errors.Is(err, registry.ErrUnknownKind) {
		t.Fatalf("unknown kind error does not wrap ErrUnknownKind: %v", err)
	}
	if _, err := env.NewWithChildren("add_constant", nil, []pipeline.Stage{s}); err == nil {
		t.Fatal("children accepted by a simple kind")
	}
	p, err := env.NewWithChildren("pipeline_model", nil, []pipeline.Stage{s})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.(pipeline.Composite).Children()) != 1 {
		t.Fatal("pipeline model lost its child")
	}
	est, _ := env.New("mean_center", nil)
	if _, err := env.NewWithChildren("pipeline_model", nil, []pipeline.Stage{est}); err == nil || !strings.Contains(err.Error(), "not a transformer") {
		t.Fatalf("estimator in a pipeline model: %v", err)
	}
}

type fixedStage struct {
	kind string
	ps   *param.Set
}

func (f fixedStage) Kind() string       { return f.kind }
func (f fixedStage) Params() *param.Set { return f.ps }

func TestRegisterRejects(t *testing.T) {
	env := registry.NewEmptyEnvironment()
	add := func(map[string]any) (pipeline.Stage, error) { return toystage.NewAddConstant(nil) }
	for i, tc := range []struct {
		spec registry.Spec
		err  string
	}{
		0: {registry.Spec{Kind: "Bad-Kind", New: add}, "name must match"},
		1: {registry.Spec{Kind: "9lives", New: add}, "name must match"},
		2: {registry.Spec{Kind: "add_constant"}, "exactly one of New and NewComposite"},
		3: {registry.Spec{Kind: "other", New: add}, `constructor returned kind "add_constant"`},
		4: {registry.Spec{Kind: "pipeline", NewComposite: func(map[string]any, []pipeline.Stage) (pipeline.Stage, error) {
			return pipeline.NewPipeline()
		}}, "already registered"},
		5: {registry.Spec{Kind: "broken", New: func(map[string]any) (pipeline.Stage, error) { return nil, errors.New("boom") }}, "boom"},
		6: {registry.Spec{Kind: "inert", New: func(map[string]any) (pipeline.Stage, error) {
			return fixedStage{"inert", param.NewSet("inert")}, nil
		}}, "neither a transformer"},
	} {
		err := env.Register(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%d: Register error = %v, want %q", i, err, tc.err)
		}
	}
}

func TestEnvironmentsAreIndependent(t *testing.T) {
	a := registry.NewEnvironment()
	b := a.Clone()
	if err := toystage.Register(b); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Lookup("add_constant"); err == nil {
		t.Fatal("registering in a clone changed the original")
	}
	if _, err := registry.Global().Lookup("add_constant"); err == nil {
		t.Fatal("toy stages leaked into the global environment")
	}
	if _, err := registry.NewEnvironment().Lookup("pipeline"); err != nil {
		t.Fatal(err)
	}
}

// fragile is an add_constant under another kind name.
type fragile struct{ *toystage.AddConstant }

func (fragile) Kind() string { return "fragile" }

func TestConstructorPanicBecomesError(t *testing.T) {
	env := registry.NewEmptyEnvironment()
	calls := 0
	err := env.Register(registry.Spec{Kind: "fragile", New: func(p map[string]any) (pipeline.Stage, error) {
		calls++
		if calls > 1 {
			var m map[string]int
			m["boom"]++
		}
		s, err := toystage.NewAddConstant(p)
		return fragile{s}, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.New("fragile", nil)
	if err == nil || !strings.Contains(err.Error(), `stage "fragile": constructor panicked: assignment to entry in nil map`) {
		t.Fatalf("error = %v", err)
	}
}
