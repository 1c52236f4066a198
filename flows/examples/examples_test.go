package examples_test

import (
	"io/fs"
	"strings"
	"testing"

	_ "github.com/eddyml/eddy/connectors/all"
	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/flows/examples"
	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/spec"
	_ "github.com/eddyml/eddy/transformers/all"
)

// exampleEnv is the environment the examples are checked with: the
// variables they require without a default.
var exampleEnv = map[string]string{
	"EDDY_REDIS_URL":     "redis://127.0.0.1:6379/0",
	"EDDY_TRAINING_DATA": "/data/clicks-train.csv.gz",
	"EDDY_HOLDOUT_DATA":  "/data/clicks-holdout.csv.gz",
	"EDDY_STREAM":        "/data/clicks-live.csv.gz",
}

// TestExamplesValidate: every example flow file parses and validates
// with the global job environment (what `eddy flow validate` uses).
func TestExamplesValidate(t *testing.T) {
	files, err := fs.Glob(examples.Files, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("example files %v, want quickstart and production at least", files)
	}
	lookup := func(name string) (string, bool) { v, ok := exampleEnv[name]; return v, ok }
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(examples.Files, name)
			if err != nil {
				t.Fatal(err)
			}
			// The data files and the flow's directory are the user's: only
			// the files' own consistency is checked.
			f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), LookupEnv: lookup, Dir: "/nonexistent", NoFileChecks: true}, name, data)
			if err != nil {
				t.Fatalf("%s:\n%v", name, err)
			}
			if f.Name == "" || len(f.Jobs) == 0 {
				t.Fatalf("flow %+v", f)
			}
			if !strings.HasPrefix(name, f.Name) && !strings.Contains(f.Name, strings.TrimSuffix(name, ".yaml")) {
				t.Errorf("flow name %q does not match the file name", f.Name)
			}
		})
	}
}

// TestProductionFlow checks what production.yaml promises: a Redis
// registry from the environment, validation against the champion, and a
// retrain chain triggered by the online learner's drift events.
func TestProductionFlow(t *testing.T) {
	data, err := fs.ReadFile(examples.Files, "production.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), LookupEnv: func(name string) (string, bool) {
		v, ok := exampleEnv[name]
		return v, ok
	}, Dir: "/nonexistent", NoFileChecks: true}, "production.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Stores.Registry != exampleEnv["EDDY_REDIS_URL"] {
		t.Errorf("registry %q, want EDDY_REDIS_URL", f.Stores.Registry)
	}
	if v, ok := f.Jobs["validate"].Config.(*spec.ValidateJob); !ok || v.Against != "champion" {
		t.Errorf("validate %+v, want against champion", f.Jobs["validate"].Config)
	}
	if on := f.Jobs["refresh"].On; on == nil || on.Event != spec.EventDriftDetected {
		t.Errorf("refresh trigger %+v, want drift.detected", on)
	}
	if after := f.Jobs["retrain"].After; len(after) != 1 || after[0] != "refresh" {
		t.Errorf("retrain after %v, want refresh", after)
	}
	for _, job := range []string{"ingest", "train", "validate", "deploy", "serve", "learn"} {
		if f.Jobs[job] == nil {
			t.Errorf("missing job %s", job)
		}
	}
	// Without EDDY_REDIS_URL the flow does not silently fall back to
	// another registry.
	_, err = spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), LookupEnv: func(string) (string, bool) { return "", false },
		Dir: "/nonexistent", NoFileChecks: true}, "production.yaml", data)
	if err == nil || !strings.Contains(err.Error(), "EDDY_REDIS_URL is not set") {
		t.Errorf("without EDDY_REDIS_URL: %v", err)
	}
}
