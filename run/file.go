package run

import (
	"maps"
	"slices"

	"github.com/simclr-go/simclr/internal/suggest"

	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadConfigFile reads a JSON or YAML (.yaml, .yml) file over c. Keys are
// those of config.json; the flags' kebab-case spelling (batch-size) is
// accepted too. An unknown key is an error naming it and the file.
func LoadConfigFile(path string, c *Config) error {
	m, err := ReadConfigFile(path)
	if err != nil {
		return err
	}
	if err := DecodeConfig(m, c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadConfigFile parses a JSON or YAML settings file (by its extension)
// into the map DecodeConfig takes, so that one reading can be decoded
// over several configs.
func ReadConfigFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		err = yaml.Unmarshal(b, &m)
	} else {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// DecodeConfig sets the fields of c that m names (config.json keys, or
// kebab-case; nested maps for model and augment). An unknown key is an
// error naming it.
func DecodeConfig(m map[string]any, c *Config) error {
	if err := checkKeys(m, reflect.TypeOf(*c), ""); err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(c)
}

// checkKeys rewrites kebab-case keys of m to snake_case in place and
// reports the first key that names no field of t (a struct type).
func checkKeys(m map[string]any, t reflect.Type, prefix string) error {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		fields[name] = ft
	}
	for k, v := range m {
		key := strings.ReplaceAll(k, "-", "_")
		ft, ok := fields[key]
		if !ok {
			return fmt.Errorf("unknown key %q%s", prefix+k, nearestKey(key, fields))
		}
		if key != k {
			delete(m, k)
			m[key] = v
		}
		if sub, ok := v.(map[string]any); ok && ft.Kind() == reflect.Struct {
			if err := checkKeys(sub, ft, prefix+key+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

// nearestKey is ` (did you mean K?)` for the field name nearest key, or "".
func nearestKey(key string, fields map[string]reflect.Type) string {
	if k := suggest.Nearest(key, slices.Collect(maps.Keys(fields))); k != "" {
		return fmt.Sprintf(" (did you mean %s?)", k)
	}
	return ""
}
