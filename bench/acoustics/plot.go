package main

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func plotName(s scenario) string { return "acoustics-" + slug(s.String()) + ".png" }

// peerColor is the i-th peer's line colour: blue, red, green.
func peerColor(i int) color.Color {
	return [...]color.RGBA{{0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}}[i%3]
}

// plotAll draws ERLE over time for each scenario with a far end: every peer's output, and
// speexdsp's linear filter dashed.
func plotAll(rows []row, peers []string, dir string) error {
	for _, r := range rows {
		if r.s.far == "" {
			continue
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("ERLE, %s", r.s)
		p.X.Label.Text = "time, s"
		p.Y.Label.Text = "dB"
		p.Y.Min, p.Y.Max = 0, 100 // room above the curves for the legend
		p.X.Min, p.X.Max = 0, r.s.seconds
		p.Add(plotter.NewGrid())
		for i, f := range r.figs {
			if err := addLine(p, f.curve, r.peers[i], peerColor(i), false); err != nil {
				return err
			}
			if f.linCurve != nil {
				if err := addLine(p, f.linCurve, r.peers[i]+" filter alone", peerColor(i), true); err != nil {
					return err
				}
			}
		}
		goalLine, err := plotter.NewLine(plotter.XYs{{X: 0, Y: goalEchoLoss}, {X: r.s.seconds, Y: goalEchoLoss}})
		if err != nil {
			return err
		}
		goalLine.Color = color.Gray{0x80}
		goalLine.Dashes = []vg.Length{vg.Points(1), vg.Points(3)}
		p.Add(goalLine)
		p.Legend.Add(fmt.Sprintf("%.0f dB goal", goalEchoLoss), goalLine)
		if r.s.change != changeNone {
			at, err := plotter.NewLine(plotter.XYs{{X: r.s.changeAt, Y: 0}, {X: r.s.changeAt, Y: 100}})
			if err != nil {
				return err
			}
			at.Color = color.Gray{0x80}
			p.Add(at)
		}
		p.Legend.Top = true
		p.Legend.Left = true
		if err := p.Save(6*vg.Inch, 3*vg.Inch, filepath.Join(dir, plotName(r.s))); err != nil {
			return err
		}
	}
	return nil
}

func addLine(p *plot.Plot, c []point, label string, col color.Color, dashed bool) error {
	// A gap in the curve (no echo-only frames: the near end talks) stays a gap.
	var segs []plotter.XYs
	for i, pt := range c {
		if i == 0 || pt.t-c[i-1].t > curveHop*1.5 {
			segs = append(segs, nil)
		}
		segs[len(segs)-1] = append(segs[len(segs)-1], plotter.XY{X: pt.t, Y: pt.v})
	}
	for i, xy := range segs {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = col
		l.Width = vg.Points(1.2)
		if dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			l.Width = vg.Points(0.8)
		}
		p.Add(l)
		if i == 0 {
			p.Legend.Add(label, l)
		}
	}
	return nil
}
