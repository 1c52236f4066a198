package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/pipeline/registry"
)

// TestImportsEveryEstimator checks that all.go imports every finished
// package under estimators/: one with a doc.go.
func TestImportsEveryEstimator(t *testing.T) {
	src, err := os.ReadFile("all.go")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "internal" || d.Name() == "all" {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", d.Name(), "doc.go")); err != nil {
			continue // not finished yet
		}
		if !strings.Contains(string(src), `"github.com/eddyml/eddy/estimators/`+d.Name()+`"`) {
			t.Errorf("all.go does not import estimators/%s", d.Name())
		}
	}
}

// TestKindsRegistered checks that the estimators register as estimators
// and their models as models.
func TestKindsRegistered(t *testing.T) {
	env := registry.Global()
	for kind, want := range map[string]registry.Type{
		"logistic_regression": registry.TypeEstimator, "logistic_regression_model": registry.TypeModel,
		"linear_regression": registry.TypeEstimator, "linear_regression_model": registry.TypeModel,
	} {
		info, err := env.Lookup(kind)
		if err != nil {
			t.Errorf("kind %q: %v", kind, err)
			continue
		}
		if info.Type != want {
			t.Errorf("kind %q is a %s, want %s", kind, info.Type, want)
		}
	}
	var estimators int
	for _, info := range env.Infos() {
		if info.Type == registry.TypeEstimator {
			estimators++
		}
	}
	src, err := os.ReadFile("all.go")
	if err != nil {
		t.Fatal(err)
	}
	imported := strings.Count(string(src), `_ "github.com/eddyml/eddy/estimators/`)
	if estimators < imported {
		t.Errorf("%d estimator kinds registered, want at least one per imported package (%d)", estimators, imported)
	}
}
