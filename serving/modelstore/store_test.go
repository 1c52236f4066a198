package modelstore_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddyml/eddy/serving/modelstore"
)

func TestCanTransition(t *testing.T) {
	g, v, d, x, r := modelstore.StageGenerated, modelstore.StageValidated, modelstore.StageDeployed,
		modelstore.StageDeprecated, modelstore.StageRejected
	for i, tc := range []struct {
		from, to modelstore.Stage
		want     bool
	}{
		{g, v, true}, {g, r, true}, {g, d, false}, {g, x, false}, {g, g, true},
		{v, d, true}, {v, x, true}, {v, r, true}, {v, g, false},
		{d, x, true}, {d, v, false}, {d, r, false}, {d, d, true},
		{x, d, true}, {x, v, false}, {x, g, false},
		{r, v, false}, {r, d, false}, {r, r, true},
		{"bogus", "bogus", false}, {g, "bogus", false},
	} {
		if got := modelstore.CanTransition(tc.from, tc.to); got != tc.want {
			t.Errorf("%d: %s -> %s = %v, want %v", i, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i, tc := range []struct {
		url, wantErr string
	}{
		{"file://" + dir, ""},
		{"file://" + filepath.Join(dir, "sub", "dir"), ""},
		{"file://", "empty directory"},
		{"file://" + dir + "?x=1", "no query"},
		{dir, "want a URL like file://DIR"},
		{"s3://bucket/x", `unknown scheme "s3"`},
		{"redis://", "missing host:port"},
		{"redis://127.0.0.1:1/notanumber", "invalid database"},
		{"redis://127.0.0.1:1/0?bogus=1", "bogus"},
	} {
		s, err := modelstore.Open(ctx, tc.url)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%d: open %s: %v", i, tc.url, err)
				continue
			}
			s.Close()
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%d: open %s: %v, want an error containing %q", i, tc.url, err, tc.wantErr)
		}
	}
}

// A relative file:// URL is relative to the working directory.
func TestOpenRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := modelstore.Open(context.Background(), modelstore.DefaultURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(".eddy", "models")); err != nil {
		t.Fatal(err)
	}
}

func TestFileCorruptBlob(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Create(ctx, "m", strings.NewReader("hello model"), modelstore.Info{}); err != nil {
		t.Fatal(err)
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "models", "m", "versions", "*", "blob"))
	if len(blobs) != 1 {
		t.Fatalf("blobs %v", blobs)
	}
	for i, content := range []string{"hellO model", "hello", "hello model!"} {
		if err := os.WriteFile(blobs[0], []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := s.OpenBlob(ctx, "m", 1)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(r)
		r.Close()
		if !errors.Is(err, modelstore.ErrCorrupt) {
			t.Errorf("%d: tampered blob %q: %v, want ErrCorrupt", i, content, err)
		}
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "m", strings.NewReader(""), modelstore.Info{}); !errors.Is(err, modelstore.ErrClosed) {
		t.Fatalf("create after close: %v", err)
	}
	if _, err := s.Latest(ctx, "m"); !errors.Is(err, modelstore.ErrClosed) {
		t.Fatalf("latest after close: %v", err)
	}
}

// Two FileStores on one directory (as two processes would be) number
// versions without collision and see each other's events.
func TestFileTwoHandles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := modelstore.OpenDir(dir, &modelstore.Options{PollInterval: 10e6})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	done := make(chan error, 1)
	go func() {
		evs, err := a.Watch(ctx, 3)
		if err == nil && (len(evs) != 1 || evs[0].Version != 3) {
			err = errors.New("unexpected events")
		}
		done <- err
	}()
	for i, s := range []*modelstore.FileStore{a, b, b} {
		v, err := s.Create(ctx, "m", strings.NewReader("x"), modelstore.Info{})
		if err != nil || v.Version != int64(i+1) {
			t.Fatalf("create %d: v%d, %v", i, v.Version, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
