package pyscript

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/pybridge"
)

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "png" {
		t.Fatalf("decode: %v (format %q)", err, format)
	}
	return img
}

// inked counts the pixels that are not white: a drawn plot has many.
func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
				n++
			}
		}
	}
	return n
}

func TestPlotWritesPNG(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	src := `import eddy
xs = [i for i in range(50)]
ys = [i * i for i in xs]
print(eddy.plot_line(xs, ys, path="line.png", title="squares", xlabel="x", ylabel="x^2"))
print(eddy.plot_scatter(None, {"a": [1, 3, 2], "b": [2.5, 0.5, 1]}, path="scatter.png", width=300, height=200))
`
	var out bytes.Buffer
	if _, err := RunSource(context.Background(), src, "plot.py", &Options{Stdout: &out, Allocator: mem, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "line.png\nscatter.png\n" {
		t.Errorf("printed %q", out.String())
	}
	for _, tc := range []struct {
		file string
		w, h int
	}{{"line.png", 640, 400}, {"scatter.png", 300, 200}} {
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, data)
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("%s: %dx%d, want %dx%d", tc.file, b.Dx(), b.Dy(), tc.w, tc.h)
		}
		if n := inked(img); n < 500 {
			t.Errorf("%s: only %d drawn pixels", tc.file, n)
		}
	}
}

func TestPlotDisplay(t *testing.T) {
	var shown []map[string][]byte
	ctx := WithDisplay(context.Background(), func(d map[string][]byte) { shown = append(shown, d) })
	if _, err := RunSource(ctx, "import eddy\nr = eddy.plot_line(None, [3, 1, 2], width=200, height=100)\nprint(r)\n", "d.py", nil); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 {
		t.Fatalf("%d displays", len(shown))
	}
	img, err := png.Decode(bytes.NewReader(shown[0]["image/png"]))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
		t.Errorf("size %v", b)
	}
	// The line is drawn in the first palette colour somewhere.
	found := false
	for y := 0; y < 100 && !found; y++ {
		for x := 0; x < 200; x++ {
			if c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); c.R > 150 && c.G < 100 && c.B < 100 {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("no line pixels")
	}
}

func TestPlotErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"eddy.plot_line([1, 2], [1])", "plot.py:2: RuntimeError: eddy.plot_line: xs has 2 values, ys has 1"},
		{"eddy.plot_line(None, ['a'])", "ys[0] must be a number, not str"},
		{"eddy.plot_line(None, [1, 2])", "give path= to write the PNG"},
		{"eddy.plot_scatter(None, [1], path='x.png', width=5)", "width and height must be in [16, 4096]"},
		{"eddy.plot_line(None, {'a': [1], 'b': 'x'})", `ys["b"] must be a list of numbers`},
		{"eddy.plot_line([1])", `missing argument "ys"`},
	} {
		_, err := RunSource(context.Background(), "import eddy\n"+tc.src+"\n", "plot.py", &Options{Dir: t.TempDir()})
		var pe *pybridge.Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.src, err, tc.want)
		}
	}
}
