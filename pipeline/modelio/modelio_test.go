package modelio_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

var pinned = time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)

func testEnv(t testing.TB) *registry.Environment {
	t.Helper()
	env := registry.NewEmptyEnvironment()
	if err := toystage.Register(env); err != nil {
		t.Fatal(err)
	}
	return env
}

func opts(t testing.TB, mem memory.Allocator) *modelio.Options {
	return &modelio.Options{Env: testEnv(t), Allocator: mem, Now: func() time.Time { return pinned }, EddyVersion: "v0.0.0-test"}
}

func must[S any](s S, err error) S {
	if err != nil {
		panic(err)
	}
	return s
}

// fitted returns a fitted pipeline model (add_constant, mean_center_model
// with a version column, add_constant, mean_center_model) and a batch to
// score.
func fitted(t testing.TB, mem memory.Allocator) (*pipeline.PipelineModel, arrow.Record) {
	t.Helper()
	ctx := pipeline.WithAllocator(context.Background(), mem)
	rec, err := table.Build(mem, table.NullableCol("x", []float64{1, 2, 3, 10, -4}, []bool{true, true, false, true, true}))
	if err != nil {
		t.Fatal(err)
	}
	tbl := must(table.New(rec.Schema(), rec))
	defer tbl.Release()
	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 0.5})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "c", "model_version_col": "version"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "c", "output_col": "d", "value": -2})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "d", "output_col": "e"})),
	))
	r := tbl.Reader()
	m, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	return m.(*pipeline.PipelineModel), rec
}

func transform(t *testing.T, mem memory.Allocator, m pipeline.Transformer, rec arrow.Record) arrow.Record {
	t.Helper()
	out, err := m.Transform(pipeline.WithAllocator(context.Background(), mem), rec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"model", "model.tar"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			pm, rec := fitted(t, mem)
			defer rec.Release()
			path := filepath.Join(t.TempDir(), "sub", name)
			o := opts(t, mem)
			if err := modelio.Save(pm, path, o); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil || st.IsDir() == modelio.IsFile(path) {
				t.Fatalf("saved %s: %v (dir %v)", path, err, st != nil && st.IsDir())
			}
			loaded, err := modelio.Load(path, o)
			if err != nil {
				t.Fatal(err)
			}
			lm, ok := loaded.(*pipeline.PipelineModel)
			if !ok {
				t.Fatalf("loaded a %T", loaded)
			}
			want := transform(t, mem, pm, rec)
			defer want.Release()
			got := transform(t, mem, lm, rec)
			defer got.Release()
			if !array.RecordEqual(want, got) || !want.Schema().Equal(got.Schema()) {
				t.Fatalf("loaded model output differs:\n got %v\nwant %v", got, want)
			}
			// The version survives: the loaded model tags rows with it.
			if v := lm.Stages()[1].(pipeline.Versioned).ModelVersion(); v != 1 {
				t.Fatalf("loaded version %d, want 1", v)
			}
			for i, s := range lm.Stages() {
				if !equalParams(s.Params().Values(), pm.Stages()[i].Params().Values()) {
					t.Errorf("stage %d params %v, want %v", i, s.Params().Values(), pm.Stages()[i].Params().Values())
				}
			}
			// Saved again without Overwrite: refused; with it: replaced.
			if err := modelio.Save(pm, path, o); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("second save: %v", err)
			}
			o.Overwrite = true
			if err := modelio.Save(lm, path, o); err != nil {
				t.Fatal(err)
			}
			again, err := modelio.Load(path, o)
			if err != nil {
				t.Fatal(err)
			}
			out := transform(t, mem, again.(pipeline.Transformer), rec)
			defer out.Release()
			if !array.RecordEqual(want, out) {
				t.Fatal("overwritten model output differs")
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Fatalf("temporary files left behind: %v", entries)
			}
		})
	}
}

func equalParams(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestLayoutAndMetadata(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pm, rec := fitted(t, mem)
	rec.Release()
	dir := filepath.Join(t.TempDir(), "m")
	if err := modelio.SaveDir(pm, dir, opts(t, mem)); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	want := []string{
		"metadata.json",
		"stages/00-add_constant/metadata.json",
		"stages/01-mean_center_model/data-0.arrow",
		"stages/01-mean_center_model/metadata.json",
		"stages/02-add_constant/metadata.json",
		"stages/03-mean_center_model/data-0.arrow",
		"stages/03-mean_center_model/metadata.json",
	}
	if strings.Join(files, "\n") != strings.Join(want, "\n") {
		t.Fatalf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	meta, err := modelio.ReadMetadata(filepath.Join(dir, "stages/01-mean_center_model"))
	if err != nil {
		t.Fatal(err)
	}
	if meta.FormatVersion != modelio.FormatVersion || meta.Kind != "mean_center_model" || meta.Type != "model" ||
		!meta.Timestamp.Equal(pinned) || meta.EddyVersion != "v0.0.0-test" || meta.Params["model_version_col"] != "version" ||
		len(meta.Data) != 1 || meta.Data[0].File != "data-0.arrow" || len(meta.Data[0].SHA256) != 64 {
		t.Fatalf("metadata %+v", meta)
	}
	top, err := modelio.ReadMetadata(dir)
	if err != nil || top.Kind != "pipeline_model" || len(top.Stages) != 4 || top.Stages[3] != "stages/03-mean_center_model" {
		t.Fatalf("top metadata %+v, %v", top, err)
	}
}

func TestSaveSingleStagesAndUnfittedPipeline(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	o := opts(t, mem)
	add := must(toystage.NewAddConstant(map[string]any{"value": 3}))
	est := must(toystage.NewMeanCenter(map[string]any{"input_col": "q"}))
	p := must(pipeline.NewPipeline(add, est))
	for i, s := range []pipeline.Stage{add, est, p} {
		path := filepath.Join(t.TempDir(), "s.tar")
		if err := modelio.Save(s, path, o); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got, err := modelio.Load(path, o)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if got.Kind() != s.Kind() || !equalParams(got.Params().Values(), s.Params().Values()) {
			t.Fatalf("%d: loaded %s %v", i, got.Kind(), got.Params().Values())
		}
	}
	// A model without data saves and loads without data.
	m := must(toystage.NewMeanCenterModel(nil))
	path := filepath.Join(t.TempDir(), "m")
	if err := modelio.Save(m, path, o); err != nil {
		t.Fatal(err)
	}
	got, err := modelio.Load(path, o)
	if err != nil || got.(pipeline.Model).ModelData() != nil {
		t.Fatalf("loaded %v, %v", got, err)
	}
	// An unregistered kind cannot be saved: it could not be loaded.
	o.Env = registry.NewEmptyEnvironment()
	err = modelio.Save(add, filepath.Join(t.TempDir(), "x"), o)
	if err == nil || !errors.Is(err, registry.ErrUnknownKind) || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("save of unregistered kind: %v", err)
	}
}

// saved writes the fitted model as a directory and returns its path.
func saved(t *testing.T, mem memory.Allocator) string {
	t.Helper()
	pm, rec := fitted(t, mem)
	rec.Release()
	dir := filepath.Join(t.TempDir(), "m")
	if err := modelio.SaveDir(pm, dir, opts(t, mem)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	for i, tc := range []struct {
		file   string // relative to the saved directory
		change func(b []byte) []byte
		err    string
		is     error
	}{
		0: {"stages/01-mean_center_model/data-0.arrow", func(b []byte) []byte { return b[:len(b)/2] }, "corrupted data file", nil},
		1: {"stages/01-mean_center_model/data-0.arrow", func(b []byte) []byte {
			c := bytes.Clone(b)
			c[len(c)/2] ^= 1
			return c
		}, "corrupted data file: sha256", nil},
		2: {"stages/01-mean_center_model/data-0.arrow", func([]byte) []byte { return nil }, "corrupted data file", nil},
		3: {"metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"format_version": 1`), []byte(`"format_version": 7`), 1)
		},
			"newer format version 7: this eddy reads up to version 1; upgrade eddy", modelio.ErrNewerFormat},
		4: {"stages/02-add_constant/metadata.json", func(b []byte) []byte { return b[:len(b)-20] }, "decode metadata: unexpected end of JSON input", nil},
		5: {"stages/02-add_constant/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"value": -2`), []byte(`"value": "minus two"`), 1)
		}, `stage "add_constant": param "value": want float64, got string "minus two"`, nil},
		6: {"stages/02-add_constant/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"value": -2`), []byte(`"valeu": -2`), 1)
		}, `param "valeu": unknown param; known params: input_col, output_col, value`, nil},
		7: {"stages/00-add_constant/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"kind": "add_constant"`), []byte(`"kind": "teleport"`), 1)
		}, `unknown stage kind "teleport"`, registry.ErrUnknownKind},
		8: {"metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"stages/00-add_constant"`), []byte(`"../../etc"`), 1)
		}, `child stage 0 is "../../etc"`, nil},
		9: {"stages/01-mean_center_model/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"type": "model"`), []byte(`"type": "transformer"`), 1)
		}, "metadata says stage \"mean_center_model\" is a transformer, but this eddy builds a model", nil},
		10: {"stages/03-mean_center_model/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"data-0.arrow"`), []byte(`"data-7.arrow"`), 1)
		}, `data file 0 is "data-7.arrow", want "data-0.arrow"`, nil},
		11: {"stages/03-mean_center_model/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"sha256": "`), []byte(`"sha256": "zz`), 1)
		}, `invalid size`, nil},
		12: {"stages/03-mean_center_model/metadata.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"format_version": 1,`), []byte(`"format_version": 1, "extra": true,`), 1)
		}, `unknown field "extra"`, nil},
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		dir := saved(t, mem)
		path := filepath.Join(dir, filepath.FromSlash(tc.file))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, tc.change(b), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = modelio.Load(dir, opts(t, mem))
		if err == nil {
			t.Errorf("%d: load succeeded", i)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "load "+path+": ") || !strings.Contains(msg, tc.err) {
			t.Errorf("%d: error %q, want it to start with %q and contain %q", i, msg, "load "+path+": ", tc.err)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%d: error %v does not wrap %v", i, err, tc.is)
		}
		mem.AssertSize(t, 0)
	}
	// A missing file.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := saved(t, mem)
	victim := filepath.Join(dir, "stages", "03-mean_center_model", "data-0.arrow")
	os.Remove(victim)
	if _, err := modelio.Load(dir, opts(t, mem)); err == nil || !strings.Contains(err.Error(), victim) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing data file: %v", err)
	}
	if _, err := modelio.Load(filepath.Join(dir, "nowhere"), opts(t, mem)); err == nil {
		t.Fatal("load of a missing path succeeded")
	}
}

func TestLoadCorruptedTar(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pm, rec := fitted(t, mem)
	rec.Release()
	dir := t.TempDir()
	path := filepath.Join(dir, "model.tar")
	if err := modelio.SaveFile(pm, path, opts(t, mem)); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	evil := func(name string, typ byte) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Size: 2, Mode: 0o644, Linkname: "x"})
		if typ == tar.TypeReg {
			tw.Write([]byte("{}"))
		}
		tw.Close()
		return buf.Bytes()
	}
	for i, tc := range []struct {
		data []byte
		err  string
	}{
		0: {good[:len(good)/3], "not a valid tar file"},
		1: {good[:700], "not a valid tar file"},
		2: {[]byte("just some text, not a tar"), "not a valid tar file"},
		3: {nil, "empty or not a tar file"},
		4: {evil("../metadata.json", tar.TypeReg), "escapes the archive"},
		5: {evil("metadata.json", tar.TypeSymlink), "unsupported type"},
		6: {evil("metadata.json", tar.TypeReg), "missing format_version"},
	} {
		p := filepath.Join(dir, "bad.tar")
		if err := os.WriteFile(p, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := modelio.Load(p, opts(t, mem))
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%d: error %v, want it to name %s and contain %q", i, err, p, tc.err)
		}
	}
	// Truncating at any 512-byte block boundary before the two zero blocks
	// that end the archive never loads.
	for cut := 512; cut < len(good)-1024; cut += 512 {
		p := filepath.Join(dir, "cut.tar")
		os.WriteFile(p, good[:cut], 0o644)
		if _, err := modelio.Load(p, opts(t, mem)); err == nil {
			t.Errorf("tar cut at %d of %d bytes loaded", cut, len(good))
		}
	}
	// The archive unpacks with standard tar into the directory layout.
	tr := tar.NewReader(bytes.NewReader(good))
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "metadata.json" {
		t.Fatalf("first entry %v, %v", hdr, err)
	}
	if _, err := io.Copy(io.Discard, tr); err != nil {
		t.Fatal(err)
	}
}
