from generator.commands.process import run

run()
