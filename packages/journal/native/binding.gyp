{
  "targets": [
    {
      "target_name": "fsjournal_fuse",
      "sources": ["fuse_binding.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-D_FILE_OFFSET_BITS=64"],
      "include_dirs": ["<!@(pkg-config --cflags-only-I fuse3 | sed s/-I//g)"],
      "libraries": ["<!@(pkg-config --libs fuse3)"]
    }
  ]
}
