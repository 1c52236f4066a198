package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyml/eddy/pipeline/registry"
	_ "github.com/eddyml/eddy/transformers/all"
)

// TestImportsEveryTransformer checks that all.go imports every package
// directory under transformers/.
func TestImportsEveryTransformer(t *testing.T) {
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
		gos, _ := filepath.Glob(filepath.Join("..", d.Name(), "*.go"))
		if len(gos) == 0 {
			continue // no package (yet)
		}
		if !strings.Contains(string(src), `"github.com/eddyml/eddy/transformers/`+d.Name()+`"`) {
			t.Errorf("all.go does not import transformers/%s", d.Name())
		}
	}
}

// TestKindsRegistered spot-checks kinds of several packages.
func TestKindsRegistered(t *testing.T) {
	env := registry.Global()
	for _, k := range []string{"standard_scaler", "standard_scaler_model", "string_indexer", "string_indexer_model",
		"one_hot_encoder", "one_hot_encoder_model", "vector_assembler", "sql_select", "sql_filter", "tokenizer"} {
		if _, err := env.Lookup(k); err != nil {
			t.Errorf("kind %q: %v", k, err)
		}
	}
}
