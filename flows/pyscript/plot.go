package pyscript

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/eddyml/eddy/internal/pybridge"
)

// Plot sizes in pixels.
const (
	plotWidth  = 640
	plotHeight = 400
	plotMaxPx  = 4096
	plotDPI    = 96
)

func init() {
	pybridge.MustRegisterModuleFunc("plot_line",
		"plot_line(xs, ys, path=None, title='', xlabel='', ylabel='', width=640, height=400): a line chart as PNG; "+
			"ys is a list of numbers or a dict name -> list (one line each, with a legend); xs None means 0, 1, ...; "+
			"written to path when given and shown in a notebook; returns path",
		func(ctx context.Context, a []any, kw map[string]any) (any, error) { return plotXY(ctx, a, kw, false) })
	pybridge.MustRegisterModuleFunc("plot_scatter",
		"plot_scatter(xs, ys, path=None, title='', xlabel='', ylabel='', width=640, height=400): a scatter plot as PNG, as plot_line",
		func(ctx context.Context, a []any, kw map[string]any) (any, error) { return plotXY(ctx, a, kw, true) })
}

// series is one named line or point set.
type series struct {
	name string
	ys   []float64
}

func numbers(v any, name string) ([]float64, error) {
	switch l := v.(type) {
	case []float64:
		return l, nil
	case []any:
		out := make([]float64, len(l))
		for i, x := range l {
			switch n := x.(type) {
			case float64:
				out[i] = n
			case int64:
				out[i] = float64(n)
			case bool:
				return nil, fmt.Errorf("%s[%d] must be a number, not bool", name, i)
			default:
				return nil, fmt.Errorf("%s[%d] must be a number, not %s", name, i, typeName(x))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a list of numbers, not %s", name, typeName(v))
}

func plotXY(ctx context.Context, a []any, kw map[string]any, scatter bool) (any, error) {
	b, err := bind(a, kw, []string{"xs", "ys", "path", "title", "xlabel", "ylabel", "width", "height"}, 0)
	if err != nil {
		return nil, err
	}
	if !b.has("ys") {
		return nil, fmt.Errorf("missing argument \"ys\"")
	}
	var all []series
	if d, ok := b["ys"].(map[string]any); ok {
		names := make([]string, 0, len(d))
		for k := range d {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			ys, err := numbers(d[k], "ys["+fmt.Sprintf("%q", k)+"]")
			if err != nil {
				return nil, err
			}
			all = append(all, series{k, ys})
		}
	} else {
		ys, err := numbers(b["ys"], "ys")
		if err != nil {
			return nil, err
		}
		all = []series{{"", ys}}
	}
	var xs []float64
	if b.has("xs") {
		if xs, err = numbers(b["xs"], "xs"); err != nil {
			return nil, err
		}
	}
	for _, s := range all {
		if xs != nil && len(xs) != len(s.ys) {
			return nil, fmt.Errorf("xs has %d values, ys%s %d", len(xs), nameSuffix(s.name), len(s.ys))
		}
	}
	var labels [3]string
	for i, k := range []string{"title", "xlabel", "ylabel"} {
		if labels[i], err = b.str(k, ""); err != nil {
			return nil, err
		}
	}
	w, err := b.int("width", plotWidth)
	if err != nil {
		return nil, err
	}
	h, err := b.int("height", plotHeight)
	if err != nil {
		return nil, err
	}
	if w < 16 || h < 16 || w > plotMaxPx || h > plotMaxPx {
		return nil, fmt.Errorf("width and height must be in [16, %d] pixels, got %dx%d", plotMaxPx, w, h)
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	img, err := renderPlot(all, xs, labels, int(w), int(h), scatter)
	if err != nil {
		return nil, err
	}
	shown := display(ctx, map[string][]byte{"image/png": img})
	if path == "" {
		if !shown {
			return nil, fmt.Errorf("give path= to write the PNG (no notebook display to show it)")
		}
		return nil, nil
	}
	if err := os.WriteFile(sessionOf(ctx).path(path), img, 0o644); err != nil {
		return nil, err
	}
	return path, nil
}

func nameSuffix(name string) string {
	if name == "" {
		return " has"
	}
	return fmt.Sprintf("[%q] has", name)
}

// renderPlot draws the series as a w x h PNG.
func renderPlot(all []series, xs []float64, labels [3]string, w, h int, scatter bool) ([]byte, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = labels[0], labels[1], labels[2]
	p.Add(plotter.NewGrid())
	for i, s := range all {
		pts := make(plotter.XYs, 0, len(s.ys))
		for j, y := range s.ys {
			x := float64(j)
			if xs != nil {
				x = xs[j]
			}
			if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
				continue // gaps: plotter rejects non-finite values
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		col := plotutil.Color(i)
		if scatter {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			sc.GlyphStyle.Color = col
			sc.GlyphStyle.Radius = vg.Points(2)
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(sc)
			if s.name != "" {
				p.Legend.Add(s.name, sc)
			}
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.LineStyle.Color = col
		l.LineStyle.Width = vg.Points(1.5)
		p.Add(l)
		if s.name != "" {
			p.Legend.Add(s.name, l)
		}
	}
	p.Legend.Top = true
	c := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, w, h))), vgimg.UseDPI(plotDPI))
	m := vg.Points(6) // a margin so that labels and the legend do not touch the edges
	p.Draw(draw.Crop(draw.New(c), m, -2*m, m, -m))
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("plot: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
