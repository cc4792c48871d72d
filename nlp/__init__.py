"""Chinese intent matching: jieba tokenizer, intents, slots and dialogue."""
