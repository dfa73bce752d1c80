// Package suggest finds the name a typo was meant to be: for "did you
// mean" in flag, command and config-key errors.
package suggest

import "strings"

// Nearest is the candidate within two edits of s (or, for s of three or
// more letters, one that starts with s), the closest first and ties by
// name; "" when none is near.
func Nearest(s string, candidates []string) string {
	best, dist := "", 3
	for _, c := range candidates {
		d := Edits(s, c)
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if c != "" && (d < dist || d == dist && c < best) {
			best, dist = c, d
		}
	}
	return best
}

// Edits is the Levenshtein distance between a and b (bytes).
func Edits(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
