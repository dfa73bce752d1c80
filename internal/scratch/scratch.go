package scratch

// Grow returns s resized to n elements, reusing its backing array when it
// is large enough and allocating a new one otherwise.
func Grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
