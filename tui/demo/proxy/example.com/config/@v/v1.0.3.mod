module example.com/config

go 1.19

require example.com/yaml v0.0.0-20230815093000-a1b2c3d4e5f6
