from generator.commands.cli import main
from generator.commands.leave import leave

leave(main())
