package train

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress shows a run's progress: on a terminal, one bar redrawn in
// place with loss, learning rate, speed and ETA; elsewhere (a file, a
// pipe, CI) plain lines only.
type progress struct {
	w          io.Writer
	tty        bool
	total      int
	start      time.Time
	startStep  int
	lastDrawn  time.Time
	drawnWidth int
}

func newProgress(w io.Writer, total, startStep int) *progress {
	p := &progress{w: w, total: total, start: time.Now(), startStep: startStep}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) eta(step int) time.Duration {
	done := step - p.startStep
	if done <= 0 {
		return 0
	}
	per := time.Since(p.start) / time.Duration(done)
	return (per * time.Duration(p.total-step)).Round(time.Second)
}

// update redraws the bar (at most 10 times a second) on a terminal.
func (p *progress) update(step, epoch, epochs int, loss, lr, imgPerSec float64) {
	if !p.tty || (time.Since(p.lastDrawn) < 100*time.Millisecond && step < p.total) {
		return
	}
	p.lastDrawn = time.Now()
	const width = 30
	fill := width * step / max(p.total, 1)
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	s := fmt.Sprintf("\r[%s] %3d%% epoch %d/%d loss %.4f lr %.3g %.0f img/s ETA %s",
		bar, 100*step/max(p.total, 1), epoch, epochs, loss, lr, imgPerSec, p.eta(step))
	p.drawnWidth = len(s)
	fmt.Fprint(p.w, s)
}

// line prints a log line; on a terminal it goes above the bar.
func (p *progress) line(format string, a ...any) {
	if p.tty {
		if p.drawnWidth > 0 {
			fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawnWidth))
		}
		p.lastDrawn = time.Time{}
	}
	fmt.Fprintf(p.w, format+"\n", a...)
}

func (p *progress) finish() {
	if p.tty && p.drawnWidth > 0 {
		fmt.Fprintln(p.w)
	}
}
