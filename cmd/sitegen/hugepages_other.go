//go:build !linux

package main

// startHugeHeap does nothing where transparent huge pages are not Linux's.
func startHugeHeap(args []string) {}

// moreHugeHeap does nothing where transparent huge pages are not Linux's.
func moreHugeHeap(sources, perSource int) {}
