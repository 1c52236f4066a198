package archtest

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/eddyml/eddy"

// rule constrains every package under prefix (relative to the module).
type rule struct {
	prefix string
	// mayUse lists the Eddy packages the layer may depend on besides its
	// own subtree: "a/b" is that package alone, "a/b/..." is it and
	// everything under it. nil means any Eddy package but cmd.
	mayUse []string
	// never lists external import-path prefixes the layer must not reach.
	never []string
}

var (
	engineForbidden = []string{
		"github.com/redis/", "github.com/prometheus/", "github.com/spf13/cobra",
		"github.com/go-python/gpython", "go.yaml.in/yaml", "gopkg.in/yaml",
	}
	// internal/ipcverify belongs to the stage layer: pipeline/modelio checks
	// model files with it.
	stageLayer = []string{"pipeline", "pipeline/param", "pipeline/table", "pipeline/modelio", "pipeline/registry", "internal/ipcverify"}
)

// rules mirror DESIGN.md section 2. The first matching prefix wins, so
// longer prefixes come first.
var rules = []rule{
	{prefix: "internal/enginemetrics", mayUse: []string{"pipeline/..."}},
	{prefix: "internal/pybridge", mayUse: []string{"pipeline/table"}},
	{prefix: "internal/testutil", mayUse: []string{}},
	{prefix: "internal/fastfloat", mayUse: []string{}},
	{prefix: "internal/trustedrec", mayUse: []string{}},
	{prefix: "internal/ipcverify", mayUse: []string{}},
	{prefix: "internal/archtest", mayUse: []string{}},
	{prefix: "pipeline", mayUse: []string{"internal/ipcverify"}, never: engineForbidden},
	{prefix: "eval", mayUse: []string{"pipeline/table"}, never: engineForbidden},
	{prefix: "connectors", mayUse: []string{"pipeline/table", "pipeline/stream/...", "internal/fastfloat", "internal/ipcverify"},
		never: []string{"github.com/go-python/gpython", "github.com/spf13/cobra"}},
	{prefix: "estimators", mayUse: append([]string{"eval/...", "internal/trustedrec"}, stageLayer...), never: engineForbidden},
	{prefix: "transformers", mayUse: append([]string{"eval/...", "internal/pybridge", "internal/trustedrec"}, stageLayer...),
		never: []string{"github.com/redis/", "github.com/spf13/cobra"}},
	{prefix: "online", mayUse: []string{"estimators/...", "transformers/...", "eval/...", "pipeline/...", "internal/pybridge", "internal/trustedrec", "internal/ipcverify"},
		never: []string{"github.com/redis/", "github.com/spf13/cobra"}},
	{prefix: "serving", mayUse: append([]string{"internal/testutil", "internal/fastfloat", "internal/trustedrec"}, stageLayer...),
		never: []string{"github.com/spf13/cobra", "github.com/go-python/gpython"}},
	{prefix: "flows", mayUse: nil},
	{prefix: "notebooks", mayUse: nil},
	{prefix: "cmd", mayUse: nil},
	// Benchmark and data-making tools behind scripts/*.sh.
	{prefix: "scripts", mayUse: nil},
}

type pkgInfo struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // transitive
}

func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func ruleFor(rel string) (rule, bool) {
	for _, r := range rules {
		if under(rel, r.prefix) {
			return r, true
		}
	}
	return rule{}, false
}

// violations returns, for one package, every dependency its rule forbids.
func violations(rel string, deps []string) []string {
	r, ok := ruleFor(rel)
	if !ok {
		return []string{"no rule covers this package: add one to the rules table and DESIGN.md"}
	}
	var bad []string
	for _, d := range deps {
		if strings.HasPrefix(d, module+"/") {
			drel := strings.TrimPrefix(d, module+"/")
			if under(drel, "cmd") {
				bad = append(bad, d+" (nothing imports cmd)")
				continue
			}
			if under(drel, r.prefix) || r.mayUse == nil {
				continue
			}
			allowed := false
			for _, m := range r.mayUse {
				if sub, ok := strings.CutSuffix(m, "/..."); ok && under(drel, sub) || drel == m {
					allowed = true
					break
				}
			}
			if !allowed {
				bad = append(bad, d)
			}
			continue
		}
		for _, n := range r.never {
			if strings.HasPrefix(d, n) {
				bad = append(bad, d)
			}
		}
	}
	return bad
}

func TestImportBoundaries(t *testing.T) {
	for _, p := range listPackages(t) {
		if !strings.HasPrefix(p.ImportPath, module+"/") {
			continue
		}
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if _, ok := ruleFor(rel); !ok {
			t.Errorf("%s: no rule covers this package: add one to the rules table and DESIGN.md section 2", rel)
			continue
		}
		for _, v := range violations(rel, p.Deps) {
			t.Errorf("%s must not depend on %s (DESIGN.md section 2)", rel, v)
		}
		for _, v := range directViolations(rel, p.Imports) {
			t.Errorf("%s must not depend on %s (DESIGN.md section 2)", rel, v)
		}
	}
}

// directViolations checks rules about direct imports: only
// internal/pybridge imports gpython (others reach it through pybridge).
func directViolations(rel string, imports []string) []string {
	var bad []string
	for _, d := range imports {
		if strings.HasPrefix(d, "github.com/go-python/gpython") && !under(rel, "internal/pybridge") {
			bad = append(bad, d+" (only internal/pybridge imports gpython)")
		}
	}
	return bad
}

// TestRulesCatchViolations proves the checker can fail: known-bad
// dependencies must be reported.
func TestRulesCatchViolations(t *testing.T) {
	cases := []struct {
		pkg, dep string
	}{
		{"pipeline/table", "github.com/redis/go-redis/v9"},
		{"pipeline/stream", module + "/connectors/csv"},
		{"serving/httpapi", module + "/pipeline/stream"},
		{"estimators/logreg", module + "/online/ftrl"},
		{"connectors/csv", module + "/estimators/kmeans"},
		{"flows/cli", module + "/cmd/eddy"},
	}
	for _, c := range cases {
		if len(violations(c.pkg, []string{c.dep})) == 0 {
			t.Errorf("%s -> %s was allowed, want a violation", c.pkg, c.dep)
		}
	}
	if len(directViolations("flows/pyscript", []string{"github.com/go-python/gpython/py"})) == 0 {
		t.Error("a direct gpython import outside internal/pybridge was allowed")
	}
	if len(directViolations("internal/pybridge", []string{"github.com/go-python/gpython/py"})) != 0 {
		t.Error("internal/pybridge may import gpython")
	}
	if v := violations("online/ftrl", []string{module + "/estimators/logreg", module + "/pipeline/stream"}); len(v) != 0 {
		t.Errorf("online may use estimators and the engine, got violations %v", v)
	}
}
