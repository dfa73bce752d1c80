// Package chart draws the project's pictures with gonum/plot: a run's
// training curves (Curves) and any plot saved atomically as PNG or SVG by
// its file extension (Save). Values that are not finite or beyond ±Max
// (a diverged run) are skipped and counted, never drawn: gonum's axes
// cannot span them.
package chart
