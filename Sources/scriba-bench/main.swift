print("scriba-bench")
