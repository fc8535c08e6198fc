{
  "targets": [
    {
      "target_name": "time_budget",
      "sources": ["time_budget.cc"],
      "cflags_cc": ["-Wall", "-Wno-cast-function-type"],
      "libraries": ["-lpthread"]
    }
  ]
}
