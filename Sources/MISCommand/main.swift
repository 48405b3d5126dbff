print("mis: under construction")
