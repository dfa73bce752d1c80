package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/simclr-go/simclr/datasets"
)

func runPack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr pack", flag.ContinueOnError)
	var name, dir, out string
	var side int
	fs.StringVar(&name, "dataset", datasets.Folder, "dataset to pack: folder (decoded a chunk at a time), cifar10, cifar100, stl10 or stl10-unlabeled")
	fs.StringVar(&dir, "data-dir", "", "its directory (required)")
	fs.StringVar(&out, "out", "", "directory to write train.pack (and test.pack when there is a test split) into (required)")
	fs.IntVar(&side, "image-size", 0, "folder datasets: side images are resized to (0: 32)")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if dir == "" || out == "" {
		return usagef("--data-dir and --out are required")
	}
	for _, split := range []datasets.Split{datasets.Train, datasets.Test} {
		n, err := datasets.Pack(name, dir, split, side, out, stderr)
		if split == datasets.Test && err != nil && (errors.Is(err, os.ErrNotExist) || errors.Is(err, datasets.ErrNoSplit)) {
			fmt.Fprintf(stdout, "no test split in %s: packed train only\n", dir)
			break
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d images)\n", datasets.PackFile(out, split), n)
	}
	fmt.Fprintf(stdout, "next: simclr train --dataset packed --data-dir %s --out RUN\n", out)
	return nil
}
