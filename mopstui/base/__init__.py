"""The basic modules every layer may use: files, identity, text cleaning, time, locations, the input error."""
