package dev.autotask.boot.web;

import java.util.List;

import dev.autotask.GroupInfo;
import dev.autotask.TaskGroup;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the groups of {@code GET /groups} and {@code GET /groups/{group}}.
 */
final class GroupApiJson {

	private final JsonMapper mapper = JsonMapper.builder().build();

	String group(GroupInfo info) {
		return this.mapper.writeValueAsString(groupNode(info));
	}

	String page(List<GroupInfo> groups, @Nullable Long next) {
		ObjectNode node = this.mapper.createObjectNode();
		ArrayNode array = node.putArray("groups");
		groups.forEach((info) -> array.add(groupNode(info)));
		node.put("next", next);
		return this.mapper.writeValueAsString(node);
	}

	private ObjectNode groupNode(GroupInfo info) {
		TaskGroup group = info.group();
		ObjectNode node = this.mapper.createObjectNode();
		node.put("id", group.id());
		node.put("total", group.total());
		node.put("ended", group.ended());
		node.put("succeeded", group.succeeded());
		node.put("failed", group.failed());
		node.put("cancelled", group.cancelled());
		node.put("done", group.done());
		node.put("createdAt", info.createdAt().toString());
		node.put("callbackTaskId", group.callbackTaskId());
		node.put("callbackStatus", (info.callbackStatus() != null) ? info.callbackStatus().name() : null);
		return node;
	}

}
