import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { type ImportSettings, importsApi, uploadImport } from '../api/imports-api';

/** Uploads a CSV and reports the upload's progress (0–1). */
export function useUploadImport(workspaceId: string) {
  const [progress, setProgress] = useState(0);
  const mutation = useMutation({
    mutationFn: (file: File) => {
      setProgress(0);
      return uploadImport(workspaceId, file, setProgress);
    },
  });
  return { ...mutation, progress };
}

export function usePreviewImport(workspaceId: string) {
  return useMutation({
    mutationFn: ({ operationId, settings }: { operationId: string; settings: ImportSettings }) =>
      importsApi.preview(workspaceId, operationId, settings),
  });
}

export function useStartImport(workspaceId: string) {
  return useMutation({
    mutationFn: ({ operationId, settings }: { operationId: string; settings: ImportSettings }) =>
      importsApi.start(workspaceId, operationId, settings),
  });
}

/** Fetched right after the upload: the targets chosen last time, by header name. */
export function fetchLastMapping(workspaceId: string) {
  return importsApi.lastMapping(workspaceId).catch(() => ({ mapping: null }));
}
