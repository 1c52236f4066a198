package cli

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run executes the eddy command line in-process.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// datasetsDir finds ../shared/datasets; under CI=true it must exist.
func datasetsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../shared/datasets")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared datasets missing under CI: %v", err)
		}
		t.Skipf("shared datasets not found: %v", err)
	}
	return dir
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "version")
	if code != 0 || !regexp.MustCompile(`^eddy \S+ \(commit \S+, go1\.\d+`).MatchString(out) {
		t.Errorf("version: code %d, output %q", code, out)
	}
}

func TestUnknownCommandFails(t *testing.T) {
	_, errOut, code := run(t, "frobnicate")
	if code != 1 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

// schemaOf parses the schema lines FormatHead prints before the rows:
// "name  type [role]" up to the first blank line.
func schemaOf(t *testing.T, out string) map[string]string {
	t.Helper()
	types := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			break
		}
		if len(f) < 2 {
			t.Fatalf("schema line %q has no type", sc.Text())
		}
		types[f[0]] = f[1]
	}
	return types
}

// stringColumns reads the datasets README: file name -> its declared
// categorical/text columns.
func stringColumns(t *testing.T, dir string) map[string][]string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	var file string
	for _, line := range strings.Split(string(readme), "\n") {
		if name, ok := strings.CutPrefix(line, "### `"); ok {
			file = strings.TrimSuffix(name, "`")
			out[file] = nil
		}
		if cols, ok := strings.CutPrefix(line, "- string columns: "); ok && file != "" {
			for _, c := range strings.Split(cols, ",") {
				out[file] = append(out[file], strings.Trim(strings.TrimSpace(c), "`"))
			}
		}
	}
	return out
}

// TestHeadOnEveryDataset checks that eddy head types every shared dataset
// sensibly: the README's string columns as strings, everything else as
// numbers. The one documented exception is kddcup's id columns, which are
// written as integers and so read as int64, as pandas reads them too.
func TestHeadOnEveryDataset(t *testing.T) {
	dir := datasetsDir(t)
	files := stringColumns(t, dir)
	if len(files) < 10 {
		t.Fatalf("found only %d datasets in the README", len(files))
	}
	integerIDs := map[string]bool{"ctr_kddcup2012_click_small.csv.gz": true}
	for file, strCols := range files {
		t.Run(file, func(t *testing.T) {
			out, errOut, code := run(t, "head", "-n", "3", filepath.Join(dir, file))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			types := schemaOf(t, out)
			isString := map[string]bool{}
			for _, c := range strCols {
				isString[c] = true
				if integerIDs[file] {
					continue
				}
				if types[c] != "utf8" {
					t.Errorf("string column %s read as %q", c, types[c])
				}
			}
			for c, typ := range types {
				if !isString[c] && typ != "int64" && typ != "float64" {
					t.Errorf("numeric column %s read as %q", c, typ)
				}
			}
			if !strings.Contains(out, "\n0  ") {
				t.Errorf("no rows printed:\n%s", out)
			}
		})
	}
}
