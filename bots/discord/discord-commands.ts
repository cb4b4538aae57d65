import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from "discord.js";

/** The slash commands the bot offers, registered globally on ready (`PUT /applications/{id}/commands`). */

export const investigateCommand = "investigate";
export const investigateTextOption = "text";

export const applicationCommands: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: ApplicationCommandType.ChatInput,
    name: investigateCommand,
    description: "Start an investigation session in a new thread",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: investigateTextOption,
        description: "What to look into",
        required: true,
        max_length: 2000,
      },
    ],
  },
];
